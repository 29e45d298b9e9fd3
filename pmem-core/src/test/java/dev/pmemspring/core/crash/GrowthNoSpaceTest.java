package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A pool that cannot grow because its file system is full (a 40 MiB tmpfs of the child JVM's own)
 * goes on at its size: the allocation that needed the space fails with the pool's out-of-memory
 * error, whose cause says the file system refused, and the pool takes writes again once space is
 * freed. The file never claims space the file system did not give.
 */
class GrowthNoSpaceTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Durability.class)
    void aRefusedGrowthLeavesAWorkingPoolAtItsSize(Durability durability) throws Exception {
        assumeTrue(ChildJvm.canMountPrivately(), "this machine does not let a process mount a tmpfs of its own");
        Path mount = Files.createDirectory(dir.resolve("fs-" + durability));
        Path path = mount.resolve("nospace.pool");
        List<String> lines = new ArrayList<>();
        int code;
        try (ChildJvm child = ChildJvm.startInSmallFileSystem(
                dir, mount, 40, GrowthNoSpaceChild.class, path.toString(), durability.name())) {
            code = child.awaitExit(lines);
        }
        assertThat(code).as("child output: %s", lines).isZero();
        assertThat(lines).contains("CAUSE PoolNoSpaceException", "CHECK 0");
        assertThat(lines.stream()
                        .filter(l -> l.startsWith("MESSAGE "))
                        .findFirst()
                        .orElseThrow())
                .contains("could not grow")
                .contains("free space on its file system");
        long size = Long.parseLong(value(lines, "SIZE"));
        assertThat(size).isBetween(32L << 20, 40L << 20);
        assertThat(Long.parseLong(value(lines, "FILE"))).isEqualTo(size);
        assertThat(Long.parseLong(value(lines, "FAILURES"))).isPositive();
        assertThat(Long.parseLong(value(lines, "ENTRIES"))).isGreaterThan(1000);
    }

    @Test
    void aFileSizeLimitBelowTheMaximumOpensThePoolAtItsSizeWithoutGrowth() throws Exception {
        Path path = dir.resolve("limited.pool");
        List<String> lines = new ArrayList<>();
        int code;
        try (ChildJvm child = ChildJvm.startWithFileSizeLimit(
                dir, 40 * 1024, GrowthNoSpaceChild.class, path.toString(), Durability.PROCESS.name())) {
            code = child.awaitExit(lines);
        }
        assertThat(code).as("child output: %s", lines).isZero();
        // The open's warning said it: this pool does not grow in this process, so a full pool is just full.
        assertThat(lines).contains("CAUSE none", "CHECK 0", "SIZE " + (8L << 20), "FILE " + (8L << 20), "FAILURES 0");
        assertThat(Long.parseLong(value(lines, "ENTRIES"))).isGreaterThan(1000);
    }

    private static String value(List<String> lines, String key) {
        return lines.stream()
                .filter(l -> l.startsWith(key + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in " + lines))
                .substring(key.length() + 1);
    }
}
