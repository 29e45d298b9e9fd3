package dev.pmemspring.core;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The module exports the public face only: on the module path, the internals cannot be reached. */
class ModuleDescriptorTest {

    @Test
    void exportsThePublicPackagesOnlyAndOpensNothing() throws Exception {
        Path classes = Path.of(PmemPool.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        assertThat(module.name()).isEqualTo("dev.pmemspring.core");
        assertThat(module.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        assertThat(module.exports().stream()
                        .map(ModuleDescriptor.Exports::source)
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("dev.pmemspring.core", "dev.pmemspring.core.tool");
        assertThat(module.opens()).isEmpty();
        assertThat(module.isOpen()).isFalse();
    }
}
