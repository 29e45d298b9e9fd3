package dev.pmemspring.cache;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache uses the core's public API only. Its classes compile on the class path (see the
 * parent pom), so this reads every class file it ships and lists the classes each one refers to.
 */
class ModuleBoundaryTest {

    @Test
    void noClassOfTheCacheRefersToTheCoresInternals() throws Exception {
        Path classes = Path.of(PmemCache.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        List<String> references = new ArrayList<>();
        int read = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                ClassModel model = parse(file);
                read++;
                model.constantPool().forEach(entry -> {
                    if (entry instanceof ClassEntry c
                            && c.asInternalName().startsWith("dev/pmemspring/core/internal/")) {
                        references.add(model.thisClass().asInternalName() + " -> " + c.asInternalName());
                    }
                });
            }
        }
        assertThat(read).isGreaterThan(20);
        assertThat(references).isEmpty();
    }

    private static ClassModel parse(Path file) throws IOException {
        return ClassFile.of().parse(Files.readAllBytes(file));
    }
}
