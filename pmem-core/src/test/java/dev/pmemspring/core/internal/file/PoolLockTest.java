package dev.pmemspring.core.internal.file;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolInUseException;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pool's OS lock, seen from another process. POSIX locks belong to the process and go with
 * the first descriptor of the file that closes, so these check from a child JVM that nothing this
 * JVM does beside an open pool (a refused second open, removing a leftover name) releases it.
 */
class PoolLockTest {

    private static final PoolOptions OPTIONS = PoolOptions.layout("lock").withSize(16L << 20);

    @TempDir
    Path dir;

    @Test
    void a_refused_second_open_in_this_jvm_keeps_the_first_ones_lock() throws Exception {
        Path pool = dir.resolve("p.pool");
        try (PmemPool first = PmemPool.create(pool, OPTIONS)) {
            assertThatThrownBy(() -> PmemPool.open(pool, OPTIONS)).isInstanceOf(PoolInUseException.class);
            assertThat(Child.run("open", pool)).isEqualTo("IN_USE");
        }
        assertThat(Child.run("open", pool)).isEqualTo("OPENED");
    }

    @Test
    void removing_a_leftover_name_of_the_open_pool_keeps_its_lock() throws Exception {
        Path pool = dir.resolve("p.pool");
        PmemPool.create(pool, OPTIONS).close();
        Path leftover = Files.createLink(dir.resolve(".p.pool.creating-9f"), pool);
        try (PmemPool opened = PmemPool.open(pool, OPTIONS)) {
            assertThat(leftover).doesNotExist();
            assertThat(Child.run("open", pool)).isEqualTo("IN_USE");
        }
    }

    @Test
    void a_temporary_file_another_process_is_still_creating_is_left_alone() throws Exception {
        Path pool = dir.resolve("p.pool");
        Path busy = Files.write(dir.resolve(".p.pool.creating-busy"), new byte[4096]);
        Process holder = Child.start("hold", busy);
        try {
            assertThat(holder.inputReader().readLine()).isEqualTo("HOLDING");
            PmemPool.create(pool, OPTIONS).close();
            assertThat(busy).exists();
        } finally {
            holder.destroyForcibly().waitFor();
        }
        PmemPool.open(pool, OPTIONS).close();
        assertThat(busy).doesNotExist();
    }

    /** The other process: {@code open <pool>} prints OPENED or IN_USE; {@code hold <file>} locks it until killed. */
    public static final class Child {

        public static void main(String[] args) throws Exception {
            Path path = Path.of(args[1]);
            if (args[0].equals("open")) {
                try (PmemPool pool = PmemPool.open(path, OPTIONS)) {
                    System.out.println("OPENED");
                } catch (PoolInUseException e) {
                    System.out.println("IN_USE");
                }
                return;
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (channel.tryLock() != null) {
                    System.out.println("HOLDING");
                    Thread.sleep(TimeUnit.MINUTES.toMillis(2));
                }
            }
        }

        static Process start(String mode, Path path) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            return new ProcessBuilder(List.of(
                            java,
                            "-Xmx64m",
                            "-XX:TieredStopAtLevel=1",
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            Child.class.getName(),
                            mode,
                            path.toString()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        }

        static String run(String mode, Path path) throws Exception {
            Process p = start(mode, path);
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                return line;
            }
        }
    }
}
