package dev.pmemspring.core.internal.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * A native image can only make the downcalls registered when it was built: the jar's
 * reachability metadata must list exactly the shapes {@link FileSpace} links.
 */
class FileSpaceNativeImageMetadataTest {

    private static final String METADATA = "META-INF/native-image/dev.pmemspring/pmem-core/reachability-metadata.json";
    private static final Pattern DOWNCALL = Pattern.compile("\\{\"returnType\":[^{}]*(\\{[^{}]*\\})?[^{}]*\\}");

    @Test
    void theMetadataListsEveryDowncallTheCodeLinks() throws IOException {
        List<String> expected = List.of(
                shape(FileSpace.OPEN, FileSpace.OPEN_FIRST_VARIADIC),
                shape(FileSpace.POSIX_FALLOCATE, -1),
                shape(FileSpace.CLOSE, -1), // and fsync's
                shape(FileSpace.FTRUNCATE, -1));

        assertThat(registeredDowncalls()).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static List<String> registeredDowncalls() throws IOException {
        String json;
        try (InputStream in = FileSpace.class.getClassLoader().getResourceAsStream(METADATA)) {
            assertThat(in).as(METADATA + " on the class path").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s", "");
        }
        String downcalls = json.substring(json.indexOf("\"downcalls\":["));
        Matcher m = DOWNCALL.matcher(downcalls);
        List<String> found = new java.util.ArrayList<>();
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    /** The descriptor in the metadata's spelling (returnType, parameterTypes, options). */
    private static String shape(FunctionDescriptor d, int firstVariadic) {
        String params =
                d.argumentLayouts().stream().map(l -> '"' + type(l) + '"').collect(Collectors.joining(",", "[", "]"));
        String options = firstVariadic < 0 ? "" : ",\"options\":{\"firstVariadicArg\":" + firstVariadic + "}";
        return "{\"returnType\":\""
                + d.returnLayout().map(FileSpaceNativeImageMetadataTest::type).orElse("void") + "\",\"parameterTypes\":"
                + params + options + "}";
    }

    private static String type(MemoryLayout layout) {
        if (layout.equals(ValueLayout.JAVA_INT)) {
            return "jint";
        }
        if (layout.equals(ValueLayout.JAVA_LONG)) {
            return "jlong";
        }
        if (layout instanceof java.lang.foreign.AddressLayout) {
            return "void*";
        }
        throw new AssertionError("no metadata spelling for " + layout);
    }
}
