package dev.pmemspring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service that cannot open its pool does not start: it exits non-zero, Spring Boot's failure
 * analysis says what is wrong and what to do, and the pool file is left exactly as it was.
 */
class StartupFailureIT {

    private static final Duration EXIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void corruptedPoolIsReportedAndLeftAlone() throws IOException {
        Path pool = dir.resolve("corrupt.pool");
        createPool(pool, "pmem-demo");
        // damage both copies of the header: neither passes its checksum any more
        try (FileChannel channel = FileChannel.open(pool, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x5A, 0x5A, 0x5A, 0x5A}), 2000);
            channel.write(ByteBuffer.wrap(new byte[] {0x5A, 0x5A, 0x5A, 0x5A}), 4096 + 2000);
        }
        String before = DemoProcess.sha256(pool);

        DemoProcess demo = DemoProcess.start(pool, DemoProcess.log("StartupFailureIT-corrupt"));
        assertThat(demo.awaitExit(EXIT)).as("exit code").isNotZero();
        assertThat(demo.log())
                .contains("APPLICATION FAILED TO START", pool.toString(), "is damaged", "Action:", "check");
        assertThat(DemoProcess.sha256(pool))
                .as("the pool file after the failed start")
                .isEqualTo(before);
    }

    @Test
    void poolOfAnotherLayoutIsReportedAndLeftAlone() {
        Path pool = dir.resolve("other.pool");
        createPool(pool, "someone-else");
        String before = DemoProcess.sha256(pool);

        DemoProcess demo = DemoProcess.start(pool, DemoProcess.log("StartupFailureIT-layout"));
        assertThat(demo.awaitExit(EXIT)).as("exit code").isNotZero();
        assertThat(demo.log())
                .contains("APPLICATION FAILED TO START", pool.toString(), "another layout", "pmem.pool.layout");
        assertThat(DemoProcess.sha256(pool)).isEqualTo(before);
    }

    @Test
    void poolHeldByAnotherInstanceIsReportedAndLeftAlone() {
        Path pool = dir.resolve("shared.pool");
        try (DemoProcess first = DemoProcess.start(pool, DemoProcess.log("StartupFailureIT-first"))
                .awaitReady(EXIT)) {
            first.get("/ledger");
            String before = DemoProcess.sha256(pool);

            DemoProcess second = DemoProcess.start(pool, DemoProcess.log("StartupFailureIT-second"));
            assertThat(second.awaitExit(EXIT)).as("exit code").isNotZero();
            assertThat(second.log())
                    .contains(
                            "APPLICATION FAILED TO START",
                            pool.toString(),
                            "already open in another process",
                            "Action:");

            assertThat(DemoProcess.sha256(pool))
                    .as("the pool file after the failed start")
                    .isEqualTo(before);
            // and the instance that holds it is unharmed
            assertThat(first.get("/ledger").get("balanced").asBoolean()).isTrue();
            assertThat(first.stop()).isIn(0, 143);
        }
    }

    private static void createPool(Path path, String layout) {
        try (PmemPool pool = PmemPool.create(path, PoolOptions.layout(layout).withSize(64L << 20))) {
            pool.root(64);
        }
    }
}
