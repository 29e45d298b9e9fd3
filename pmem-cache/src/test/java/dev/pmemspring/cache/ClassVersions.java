package dev.pmemspring.cache;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Versions of a class across releases, for the serializers' tests: one compiled source, one loader. */
final class ClassVersions {

    private ClassVersions() {}

    /**
     * A loader, child of this test's, of the record {@code source} (package {@code evolving})
     * compiled into a folder of {@code dir} named after {@code version}.
     */
    static ClassLoader compile(Path dir, String version, String source) throws Exception {
        Path src = Files.createDirectories(dir.resolve(version + "-src/evolving"));
        String simpleName = source.replaceAll("(?s).*record (\\w+).*", "$1");
        Path file = Files.writeString(src.resolve(simpleName + ".java"), source);
        Path classes = Files.createDirectories(dir.resolve(version + "-classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", classes.toString(), file.toString()))
                .isZero();
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, ClassVersions.class.getClassLoader());
    }
}
