package dev.pmemspring.core.internal.file;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolUnsafeShutdownException;
import dev.pmemspring.core.internal.device.FakeSysfs;
import dev.pmemspring.core.internal.device.PmemDevice;
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

    private static final PoolOptions SYNC =
            PoolOptions.layout("s").withSize(16L << 20).withDurability(Durability.SYNC);

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
        edit(path, m -> ShutdownState.markOpen(m, Durability.PROCESS, -1)); // left open, as by kill -9
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
    void aDirtyShutdownOfTheDeviceWhileOpenInSyncModeRefusesTheOpenUnlessAccepted() throws IOException {
        Path path = dir.resolve("d.pool");
        PmemPool.create(path, SYNC).close();
        FakeSysfs sys = new FakeSysfs(dir.resolve("sys"));
        sys.regionUnder(path, "memory_controller");
        sys.dirtyShutdowns("nmem0", 3);
        String before = System.getProperty(PmemDevice.SYSFS_PROPERTY);
        System.setProperty(PmemDevice.SYSFS_PROPERTY, sys.root().toString());
        try {
            try (PmemPool pool = PmemPool.open(path, SYNC)) {
                assertThat(pool.deviceDirtyShutdowns()).isEqualTo(3);
                assertThat(pool.persistenceDomain()).isEqualTo(dev.pmemspring.core.PersistenceDomain.MEMORY_CONTROLLER);
                // a page-cache mapping: whatever the device below, sync means msync
                assertThat(pool.flushMethod()).isEqualTo(dev.pmemspring.core.FlushMethod.MSYNC);
                assertThat(pool.info().deviceDirtyShutdowns()).isEqualTo(3);
            }
            // left open in sync mode (a machine crash): with no dirty shutdown, nothing is lost
            edit(path, m -> ShutdownState.markOpen(m, Durability.SYNC, new UUID(1, 2), 3));
            try (PmemPool pool = PmemPool.open(path, SYNC)) {
                assertThat(pool.lastRecovery().unsafeShutdown()).isFalse();
            }
            // closed cleanly, then a dirty shutdown: everything had been flushed, nothing is lost
            sys.dirtyShutdowns("nmem0", 4);
            try (PmemPool pool = PmemPool.open(path, SYNC)) {
                assertThat(pool.lastRecovery().unsafeShutdown()).isFalse();
            }
            // left open, and the device counted a dirty shutdown since: it may have lost writes
            edit(path, m -> ShutdownState.markOpen(m, Durability.SYNC, new UUID(1, 2), 4));
            sys.dirtyShutdowns("nmem0", 5);
            assertThatThrownBy(() -> PmemPool.open(path, SYNC))
                    .isInstanceOf(PoolUnsafeShutdownException.class)
                    .hasMessageContaining("dirty shutdown")
                    .hasMessageContaining("region0")
                    .hasMessageContaining("acceptUnsafeShutdown");
            try (PmemPool pool = PmemPool.open(path, SYNC.withAcceptUnsafeShutdown(true))) {
                assertThat(pool.lastRecovery().unsafeShutdown()).isTrue();
            }
            try (PmemPool pool = PmemPool.open(path, SYNC)) { // the open recorded the new count
                assertThat(pool.lastRecovery().unsafeShutdown()).isFalse();
            }
        } finally {
            if (before == null) {
                System.clearProperty(PmemDevice.SYSFS_PROPERTY);
            } else {
                System.setProperty(PmemDevice.SYSFS_PROPERTY, before);
            }
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
