package dev.pmemspring.core.internal.file;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolUnsafeShutdownException;
import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.PersistentMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShutdownStateTest {

    @TempDir
    Path dir;

    private static final PoolOptions PROCESS =
            PoolOptions.layout("s").withSize(16L << 20).withDurability(Durability.PROCESS);

    private static void edit(Path path, Consumer<PersistentMemory> change) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            change.accept(new MappedMemory(ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena), false));
        }
    }

    @Test
    void aProcessCrashUnderThisBootIsRecoverable() throws IOException {
        Path path = dir.resolve("p.pool");
        PmemPool.create(path, PROCESS).close();
        edit(path, m -> ShutdownState.markOpen(m, Durability.PROCESS)); // left open, as by kill -9
        try (PmemPool pool = PmemPool.open(path, PROCESS)) {
            assertThat(pool.lastRecovery().unsafeShutdown()).isFalse();
        }
    }

    @Test
    void aMachineCrashWhileOpenInProcessModeRefusesTheOpenUnlessAccepted() throws IOException {
        Path path = dir.resolve("m.pool");
        PmemPool.create(path, PROCESS).close();
        edit(path, m -> ShutdownState.markOpen(m, Durability.PROCESS, new UUID(0x1234, 0x5678)));
        assertThatThrownBy(() -> PmemPool.open(path, PROCESS))
                .isInstanceOf(PoolUnsafeShutdownException.class)
                .hasMessageContaining("machine went down")
                .hasMessageContaining("acceptUnsafeShutdown");
        try (PmemPool pool = PmemPool.open(path, PROCESS.withAcceptUnsafeShutdown(true))) {
            assertThat(pool.lastRecovery().unsafeShutdown()).isTrue();
        }
        try (PmemPool pool = PmemPool.open(path, PROCESS)) { // a clean close clears the mark
            assertThat(pool.lastRecovery().unsafeShutdown()).isFalse();
        }
    }

    @Test
    void aMachineCrashWhileOpenInSyncModeIsSafe() throws IOException {
        Path path = dir.resolve("s.pool");
        PmemPool.create(path, PROCESS).close();
        edit(path, m -> ShutdownState.markOpen(m, Durability.SYNC, new UUID(0x1234, 0x5678)));
        try (PmemPool pool = PmemPool.open(path, PROCESS)) {
            assertThat(pool.lastRecovery().unsafeShutdown()).isFalse();
        }
    }

    @Test
    void aMarkWithoutABootIdSaysNothing() throws IOException {
        Path path = dir.resolve("t.pool");
        PmemPool.create(path, PROCESS).close();
        edit(path, m -> m.putLong(PoolLayout.SHUTDOWN_STATE, 2)); // open in PROCESS where no boot id was known
        try (PmemPool pool = PmemPool.open(path, PROCESS)) {
            assertThat(pool.lastRecovery().unsafeShutdown()).isFalse();
        }
    }
}
