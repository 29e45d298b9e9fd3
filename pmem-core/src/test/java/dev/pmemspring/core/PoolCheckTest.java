package dev.pmemspring.core;

import dev.pmemspring.core.tool.PoolTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class PoolCheckTest {

    @TempDir
    Path dir;

    private static final PoolOptions OPTIONS =
            PoolOptions.layout("check").withSize(32L << 20).withDurability(Durability.PROCESS);

    private Path populated() {
        Path path = dir.resolve("c.pool");
        try (PmemPool pool = PmemPool.create(path, OPTIONS)) {
            MemoryBlock root = pool.root(64);
            pool.allocateInto(root.fieldHandle(0), 3_000_000, null);
            for (int i = 1; i < 8; i++) {
                pool.allocateInto(root.fieldHandle(8L * i), 100 * i, b -> b.fill(0, b.size(), (byte) 1));
            }
            PmemMap map = pool.map("m");
            for (int i = 0; i < 500; i++) {
                map.put(("k" + i).getBytes(), ("value-number-" + i).getBytes());
            }
            pool.transaction(tx -> tx.putLong(root.fieldHandle(0), root.getLong(0)));
        }
        return path;
    }

    @Test
    void aHealthyPoolChecksClean() {
        Path path = populated();
        try (PmemPool pool = PmemPool.open(path, OPTIONS)) {
            CheckReport report = pool.check();
            assertThat(report.problems()).isEmpty();
            assertThat(report.clean()).isTrue();
            assertThat(report.maps()).isEqualTo(1);
            assertThat(report.entries()).isEqualTo(500);
            assertThat(report.blocks()).isEqualTo(pool.stats().objects());
        }
    }

    @Test
    void damageIsReportedWithItsLocationAndTheToolExitsOne() throws IOException {
        Path path = populated();
        byte[] all = Files.readAllBytes(path);
        int at = indexOf(all, "value-number-250".getBytes());
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'#'}), at);
        }
        try (PmemPool pool = PmemPool.open(path, OPTIONS)) {
            CheckReport report = pool.check();
            assertThat(report.clean()).isFalse();
            assertThat(report.problems()).anyMatch(p -> p.startsWith("offset ") && p.contains("map 'm'"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = PoolTool.run(new String[] {"check", path.toString()}, new PrintStream(out, true), System.err);
        assertThat(status).isEqualTo(1);
        assertThat(out.toString()).contains("problem: offset").contains("problems:");

        out.reset();
        Path clean = dir.resolve("clean.pool");
        PmemPool.create(clean, OPTIONS).close();
        assertThat(PoolTool.run(new String[] {"check", clean.toString()}, new PrintStream(out, true), System.err))
                .isZero();
        assertThat(out.toString()).contains("clean: 0 blocks, 0 maps");
    }

    private static int indexOf(byte[] all, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
