package dev.pmemspring.cache;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The module exports the public API only; {@code internal} stays inside. */
class ModuleDescriptorTest {

    @Test
    void exportsThePublicPackagesOnly() throws Exception {
        Path classes = Path.of(PmemCache.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        assertThat(module.name()).isEqualTo("dev.pmemspring.cache");
        assertThat(module.exports().stream()
                        .filter(e -> !e.isQualified())
                        .map(ModuleDescriptor.Exports::source)
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("dev.pmemspring.cache", "dev.pmemspring.cache.metrics");
        // the engine's internals reach the JCache provider, and no one else
        assertThat(module.exports().stream().filter(ModuleDescriptor.Exports::isQualified))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.source()).isEqualTo("dev.pmemspring.cache.internal");
                    assertThat(e.targets()).containsExactly("dev.pmemspring.jcache");
                });
        assertThat(module.opens()).isEmpty();
        // the core comes with the cache: a user's module that requires the cache reads both
        assertThat(module.requires()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("dev.pmemspring.core");
            assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
        });
    }
}
