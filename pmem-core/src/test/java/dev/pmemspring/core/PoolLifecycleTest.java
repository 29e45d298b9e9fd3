package dev.pmemspring.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolLifecycleTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private PoolOptions options() {
        return PoolOptions.layout("test").withSize(16 * MIB).withDurability(Durability.PROCESS);
    }

    @Test
    void createsAFullyAllocatedPrivateFileAndReopensItWithItsContents() throws IOException {
        Path path = dir.resolve("a.pool");
        long handle;
        try (PmemPool pool = PmemPool.create(path, options())) {
            MemoryBlock root = pool.root(64);
            root.putLong(0, 4242);
            root.persist();
            handle = pool.allocateInto(root.fieldHandle(8), 100, b -> b.putBytes(0, "hello".getBytes()));
            assertThat(pool.mapping()).isEqualTo(MappingMode.SHARED);
            assertThat(pool.info().layout()).isEqualTo("test");
        }
        assertThat(Files.size(path)).isEqualTo(16 * MIB);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                .isEqualTo("rw-------");
        // No sparse file: every block is allocated on the file system.
        assertThat(allocatedBytes(path)).isGreaterThanOrEqualTo(16 * MIB);

        try (PmemPool pool = PmemPool.open(path, options())) {
            MemoryBlock root = pool.root(64);
            assertThat(root.getLong(0)).isEqualTo(4242);
            assertThat(root.getLong(8)).isEqualTo(handle);
            assertThat(new String(pool.block(handle).getBytes(0, 5))).isEqualTo("hello");
            assertThat(pool.lastRecovery().redoLogsReplayed()).isZero();
            assertThat(pool.lastRecovery().headerRepaired()).isFalse();
        }
    }

    @Test
    void openOrCreateCreatesOnceThenOpens() {
        Path path = dir.resolve("sub").resolve("b.pool");
        assertThatThrownBy(() -> PmemPool.openOrCreate(path, options()))
                .isInstanceOf(PmemException.class)
                .hasMessageContaining("folder");
        Path here = dir.resolve("b.pool");
        try (PmemPool pool = PmemPool.openOrCreate(here, options())) {
            pool.root(8).putLong(0, 7);
        }
        try (PmemPool pool = PmemPool.openOrCreate(here, options())) {
            assertThat(pool.root(8).getLong(0)).isEqualTo(7);
        }
    }

    @Test
    void closedPoolCanBeOpenedAgainInTheSameJvmAndRefusesUse() {
        Path path = dir.resolve("c.pool");
        PmemPool pool = PmemPool.create(path, options());
        pool.close();
        assertThatThrownBy(() -> pool.allocate(8))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        try (PmemPool again = PmemPool.open(path, options())) {
            assertThat(again.allocate(8)).isPositive();
        }
    }

    @Test
    void rejectsAPoolThatIsAlreadyOpen() {
        Path path = dir.resolve("d.pool");
        try (PmemPool pool = PmemPool.create(path, options())) {
            assertThatThrownBy(() -> PmemPool.open(path, options()))
                    .isInstanceOf(PoolInUseException.class)
                    .hasMessageContaining("already open");
        }
    }

    @Test
    void rejectsAnotherLayout() {
        Path path = dir.resolve("e.pool");
        PmemPool.create(path, options()).close();
        assertThatThrownBy(() -> PmemPool.open(path, PoolOptions.layout("other")))
                .isInstanceOf(PoolLayoutMismatchException.class)
                .hasMessageContaining("'test', not 'other'");
        PmemPool.open(path, PoolOptions.anyLayout()).close();
    }

    @Test
    void rejectsTooSmallSizesAndExistingFiles() throws IOException {
        assertThatThrownBy(() ->
                        PmemPool.create(dir.resolve("small.pool"), options().withSize(MIB)))
                .isInstanceOf(PoolTooSmallException.class)
                .hasMessageContaining("minimum");
        Path existing = Files.writeString(dir.resolve("existing"), "x");
        assertThatThrownBy(() -> PmemPool.create(existing, options())).isInstanceOf(PoolAlreadyExistsException.class);
        assertThat(Files.readString(existing)).isEqualTo("x");
        assertThatThrownBy(() -> PmemPool.create(dir.resolve("x.pool"), PoolOptions.layout("x".repeat(64))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("63");
    }

    @Test
    void rejectsAFileThatIsNotAPool() throws IOException {
        Path path = dir.resolve("text.pool");
        Files.write(path, new byte[(int) (16 * MIB)]);
        assertThatThrownBy(() -> PmemPool.open(path, options()))
                .isInstanceOf(NotAPoolException.class)
                .hasMessageContaining("not a pool");
        Path empty = Files.createFile(dir.resolve("empty.pool"));
        assertThatThrownBy(() -> PmemPool.open(empty, options())).isInstanceOf(NotAPoolException.class);
        assertThatThrownBy(() -> PmemPool.open(dir.resolve("missing.pool"), options()))
                .isInstanceOf(PmemException.class)
                .hasMessageContaining("no such pool file");
    }

    @Test
    void rejectsATruncatedPool() throws IOException {
        Path path = dir.resolve("t.pool");
        PmemPool.create(path, options()).close();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(10 * MIB);
        }
        assertThatThrownBy(() -> PmemPool.open(path, options()))
                .isInstanceOf(PoolTruncatedException.class)
                .hasMessageContaining("cut short");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }
        assertThatThrownBy(() -> PmemPool.open(path, options()))
                .isInstanceOf(PoolTruncatedException.class)
                .hasMessageContaining("too short");
    }

    @Test
    void repairsOneDamagedHeaderCopyAndRefusesTwo() throws IOException {
        Path path = dir.resolve("h.pool");
        PmemPool.create(path, options()).close();
        scribble(path, 200, 16); // inside header A: a torn header write
        try (PmemPool pool = PmemPool.open(path, options())) {
            assertThat(pool.lastRecovery().headerRepaired()).isTrue();
        }
        try (PmemPool pool = PmemPool.open(path, options())) {
            assertThat(pool.lastRecovery().headerRepaired()).isFalse();
        }
        scribble(path, 200, 16);
        scribble(path, 4096 + 200, 16);
        assertThatThrownBy(() -> PmemPool.open(path, options()))
                .isInstanceOf(PoolCorruptedException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void repairsAHeaderCopyWithTheValidCopysOwnBytesKeepingFieldsALaterReleaseAdded() throws IOException {
        Path path = dir.resolve("later.pool");
        PmemPool.create(path, options()).close();
        // A later minor format's field, in bytes this release leaves zero, under a valid checksum.
        for (long copy : new long[] {0, 4096}) {
            rewriteHeader(path, copy, b -> b.putLong(400, 0x1234_5678L));
        }
        byte[] written = readBytes(path, 0, 4096);
        try (PmemPool pool = PmemPool.open(path, options())) {
            assertThat(pool.lastRecovery().headerRepaired()).isFalse();
            assertThat(pool.check().problems()).isEmpty();
        }
        assertThat(readBytes(path, 0, 4096)).isEqualTo(written);

        for (long torn : new long[] {4096 + 200, 200}) { // copy B torn, then copy A
            scribble(path, torn, 16);
            try (PmemPool pool = PmemPool.open(path, options())) {
                assertThat(pool.lastRecovery().headerRepaired()).isTrue();
            }
            assertThat(readBytes(path, 0, 4096)).isEqualTo(written);
            assertThat(readBytes(path, 4096, 4096)).isEqualTo(written);
        }
    }

    @Test
    void rejectsANewerFormat() throws IOException {
        Path path = dir.resolve("n.pool");
        PmemPool.create(path, options()).close();
        for (long copy : new long[] {0, 4096}) {
            rewriteHeader(path, copy, b -> b.putInt(8, 2)); // major version 2
        }
        assertThatThrownBy(() -> PmemPool.open(path, options()))
                .isInstanceOf(PoolFormatTooNewException.class)
                .hasMessageContaining("upgrade");
        for (long copy : new long[] {0, 4096}) {
            rewriteHeader(path, copy, b -> b.putInt(8, 1).putLong(24, 1L << 40)); // an unknown incompat feature
        }
        assertThatThrownBy(() -> PmemPool.open(path, options())).isInstanceOf(PoolFormatTooNewException.class);
    }

    @Test
    void reportsDamagedAllocatorMetadata() throws IOException {
        Path path = dir.resolve("m.pool");
        long tableOffset;
        try (PmemPool pool = PmemPool.create(path, options())) {
            tableOffset = dev.pmemspring.core.internal.file.PoolLayout.of(16 * MIB, 64)
                    .heapTableOffset();
        }
        scribble(path, tableOffset, 8);
        assertThatThrownBy(() -> PmemPool.open(path, options()))
                .isInstanceOf(PoolCorruptedException.class)
                .hasMessageContaining("chunk 0");
    }

    @Test
    void reportsNoSpaceWhenTheFileSystemCannotHoldThePool() {
        // Larger than any file this file system takes: posix_fallocate fails at once (EFBIG or ENOSPC).
        Path path = dir.resolve("huge.pool");
        assertThatThrownBy(() -> PmemPool.create(path, options().withSize(1L << 48)))
                .isInstanceOf(PoolNoSpaceException.class)
                .hasMessageContaining("no room");
        assertThat(path).doesNotExist();
    }

    private static long allocatedBytes(Path path) throws IOException {
        try {
            Process stat = new ProcessBuilder("stat", "-c", "%b %B", path.toString()).start();
            String[] out =
                    new String(stat.getInputStream().readAllBytes()).trim().split(" ");
            stat.waitFor();
            return Long.parseLong(out[0]) * Long.parseLong(out[1]);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    private static void scribble(Path path, long at, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            byte[] junk = new byte[length];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            ch.write(ByteBuffer.wrap(junk), at);
        }
    }

    private static byte[] readBytes(Path path, long at, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            ch.read(b, at);
            return b.array();
        }
    }

    private static void rewriteHeader(Path path, long at, java.util.function.Consumer<ByteBuffer> change)
            throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, at);
            change.accept(b);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(b.array(), 0, 4088);
            b.putLong(4088, crc.getValue());
            ch.write(ByteBuffer.wrap(b.array()), at);
        }
    }
}
