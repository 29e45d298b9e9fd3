package dev.pmemspring.core.tool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolToolTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PoolTool.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void createsAndDescribesAPool() {
        Path pool = dir.resolve("t.pool");
        assertThat(run("create", "--layout", "shop", "--size", "16M", pool.toString()))
                .isZero();
        assertThat(run("info", pool.toString())).isZero();
        assertThat(out.toString())
                .contains("layout:             shop")
                .contains("pool size:          16777216 bytes")
                .contains("objects:            0")
                .contains("0 redo logs replayed");
    }

    @Test
    void createsAPoolThatGrowsAndShowsItsSizes() {
        Path pool = dir.resolve("g.pool");
        assertThat(run("create", "--size", "8M", "--max-size", "1G", pool.toString()))
                .isZero();
        assertThat(out.toString()).contains("grows to 1073741824 bytes");
        assertThat(run("info", pool.toString())).isZero();
        assertThat(out.toString()).contains("grows to 1073741824 bytes (1024.0 MiB); 0 growths)");
    }

    @Test
    void infoCanCreateAFreshPool() {
        Path pool = dir.resolve("fresh.pool");
        assertThat(run("info", "--create", pool.toString())).isZero();
        assertThat(Files.exists(pool)).isTrue();
        assertThat(out.toString()).contains("created").contains("layout:             default");
    }

    @Test
    void failuresAndBadUsageHaveTheirOwnStatus() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk"), "hello");
        assertThat(run("info", junk.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("not a pool");
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
        assertThat(run("create", "--size", "lots", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("bad size 'lots'");
    }

    @Test
    void parsesSizes() {
        assertThat(PoolTool.parseSize("4096")).isEqualTo(4096);
        assertThat(PoolTool.parseSize("64m")).isEqualTo(64L << 20);
        assertThat(PoolTool.parseSize("2G")).isEqualTo(2L << 30);
        assertThatThrownBy(() -> PoolTool.parseSize("9999999999T")).isInstanceOf(IllegalArgumentException.class);
    }
}
