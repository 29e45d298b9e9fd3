package dev.pmemspring.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pmemspring.core.internal.file.PoolLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One damaged word at a time, where the fuzzer found raw exceptions: each is refused with a
 * {@link PoolCorruptedException} that names the offset, and the rest of the pool keeps working.
 */
class DamagedPoolTest {

    private static final PoolOptions OPTIONS =
            PoolOptions.layout("damaged").withSize(8L << 20).withDurability(Durability.PROCESS);

    @TempDir
    Path dir;

    @Test
    void aDamagedRootHandleIsRefusedAndTheMapsStillWork() throws IOException {
        Path file = dir.resolve("root.pool");
        try (PmemPool pool = PmemPool.create(file, OPTIONS)) {
            pool.root(64).putLong(0, 42);
            pool.map("a").put(bytes("k"), bytes("v"));
        }
        putLong(file, PoolLayout.ROOT_HANDLE, 12_345);
        try (PmemPool pool = PmemPool.open(file, OPTIONS)) {
            assertThatThrownBy(() -> pool.root(64))
                    .isInstanceOf(PoolCorruptedException.class)
                    .hasMessageContaining("offset " + PoolLayout.ROOT_HANDLE)
                    .hasMessageContaining(file.toString());
            assertThat(pool.map("a").get(bytes("k"))).isEqualTo(bytes("v"));
        }
    }

    @Test
    void aDamagedCatalogueHandleIsRefusedAndCheckListsIt() throws IOException {
        Path file = dir.resolve("catalogue.pool");
        try (PmemPool pool = PmemPool.create(file, OPTIONS)) {
            pool.map("a").put(bytes("k"), bytes("v"));
            pool.root(64).putLong(0, 42);
        }
        putLong(file, PoolLayout.MAP_CATALOGUE, PoolLayout.HEADER_B);
        try (PmemPool pool = PmemPool.open(file, OPTIONS)) {
            assertThatThrownBy(() -> pool.map("a"))
                    .isInstanceOf(PoolCorruptedException.class)
                    .hasMessageContaining("map catalogue");
            assertThatThrownBy(pool::mapNames).isInstanceOf(PoolCorruptedException.class);
            assertThat(pool.check().problems()).anyMatch(p -> p.contains("map catalogue"));
            assertThat(pool.root(64).getLong(0)).isEqualTo(42);
        }
    }

    @Test
    void aDamagedMapIsSetAsideTheOthersWorkAndDropForgetsIt() throws IOException {
        Path file = dir.resolve("map.pool");
        long header;
        try (PmemPool pool = PmemPool.create(file, OPTIONS)) {
            pool.map("a").put(bytes("k"), bytes("a"));
            pool.map("b").put(bytes("k"), bytes("b"));
            header = pool.map("a").internal().header();
        }
        putLong(file, header, 0); // the header's magic
        try (PmemPool pool = PmemPool.open(file, OPTIONS)) {
            assertThatThrownBy(() -> pool.map("a"))
                    .isInstanceOf(PoolCorruptedException.class)
                    .hasMessageContaining("offset " + header)
                    .hasMessageContaining("dropMap(\"a\")");
            assertThat(pool.map("b").get(bytes("k"))).isEqualTo(bytes("b"));
            assertThat(pool.check().problems()).anyMatch(p -> p.contains("map 'a', set aside"));
            pool.dropMap("a");
            assertThat(pool.mapNames()).containsExactly("b");
            assertThat(pool.map("a").get(bytes("k"))).isNull(); // a new, empty map
        }
    }

    @Test
    void aCatalogueSlotWithADamagedNameIsListedByCheckAndTheOtherMapsWork() throws IOException {
        Path file = dir.resolve("name.pool");
        long catalogue;
        try (PmemPool pool = PmemPool.create(file, OPTIONS)) {
            pool.map("a").put(bytes("k"), bytes("a"));
            pool.map("b").put(bytes("k"), bytes("b"));
            catalogue = readLong(file, PoolLayout.MAP_CATALOGUE);
        }
        // Slot 0 (map 'a'): its name bytes become invalid UTF-8 of the longest length.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            byte[] garbage = new byte[48];
            java.util.Arrays.fill(garbage, (byte) 0xFF);
            garbage[0] = 47;
            channel.write(ByteBuffer.wrap(garbage), catalogue);
        }
        try (PmemPool pool = PmemPool.open(file, OPTIONS)) {
            assertThat(pool.mapNames()).containsExactly("b");
            assertThat(pool.map("b").get(bytes("k"))).isEqualTo(bytes("b"));
            CheckReport report = pool.check();
            assertThat(report.problems())
                    .anyMatch(p -> p.contains("offset " + catalogue) && p.contains("holds no valid name"));
        }
    }

    private static long readLong(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            channel.read(word, offset);
            return word.getLong(0);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putLong(Path file, long offset, long value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer word =
                    ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value);
            channel.write(word, offset);
        }
    }
}
