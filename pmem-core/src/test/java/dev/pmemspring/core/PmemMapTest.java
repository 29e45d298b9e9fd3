package dev.pmemspring.core;

import dev.pmemspring.core.internal.file.PoolLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmemMapTest {

    @TempDir
    Path dir;

    Path path;
    PmemPool pool;

    private static final PoolOptions OPTIONS =
            PoolOptions.layout("maps").withSize(128L << 20).withDurability(Durability.PROCESS);

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @BeforeEach
    void open() {
        path = dir.resolve("m.pool");
        pool = PmemPool.create(path, OPTIONS);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    private void reopen() {
        pool.close();
        pool = PmemPool.open(path, OPTIONS);
    }

    @Test
    void behavesLikeAMapAndSurvivesReopen() {
        PmemMap m = pool.map("a");
        assertThat(m.get(b("k"))).isNull();
        m.put(b("k"), b("v1"));
        m.put(b("k"), b("v2"));
        assertThat(s(m.get(b("k")))).isEqualTo("v2");
        assertThat(s(m.putIfAbsent(b("k"), b("v3")))).isEqualTo("v2");
        assertThat(m.putIfAbsent(b("n"), b("new"))).isNull();
        assertThat(m.replace(b("absent"), b("x"))).isFalse();
        assertThat(m.replace(b("n"), b("newer"))).isTrue();
        assertThat(m.remove(b("k"), b("wrong"))).isFalse();
        assertThat(m.remove(b("k"), b("v2"))).isTrue();
        assertThat(m.containsKey(b("k"))).isFalse();
        m.put(new byte[0], new byte[0]); // empty key and value are fine
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.stats().bytes()).isEqualTo(24 + 1 + 5 + 24);
        reopen();
        m = pool.map("a");
        assertThat(s(m.get(b("n")))).isEqualTo("newer");
        assertThat(m.get(new byte[0])).isEmpty();
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.remove(b("n"))).isTrue();
        assertThat(m.remove(b("n"))).isFalse();
    }

    @Test
    void growsOnlineAndKeepsEverything() {
        PmemMap m = pool.map("big");
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            m.put(b("key-" + i), b("value-" + i));
            if (i % 7 == 0) {
                m.remove(b("key-" + (i / 2)));
            }
        }
        Map<String, String> model = new HashMap<>();
        for (int i = 0; i < n; i++) {
            model.put("key-" + i, "value-" + i);
        }
        for (int i = 0; i < n; i += 7) {
            model.remove("key-" + (i / 2));
        }
        assertThat(m.size()).isEqualTo(model.size());
        reopen();
        PmemMap again = pool.map("big");
        for (int i = 0; i < n; i++) {
            assertThat(s(again.get(b("key-" + i)))).isEqualTo(model.get("key-" + i));
        }
        Map<String, String> iterated = new HashMap<>();
        for (PmemMap.Entry e : again) {
            iterated.put(s(e.key()), s(e.value()));
        }
        assertThat(iterated).isEqualTo(model);
    }

    @Test
    void entriesExpireByWallClock() throws InterruptedException {
        PmemMap m = pool.map("ttl");
        m.put(b("short"), b("x"), System.currentTimeMillis() + 1000);
        m.put(b("long"), b("y"), System.currentTimeMillis() + 60_000);
        m.put(b("past"), b("z"), System.currentTimeMillis() - 1);
        assertThat(m.get(b("past"))).isNull();
        assertThat(m.get(b("short"))).isNotNull();
        Thread.sleep(1100);
        assertThat(m.get(b("short"))).isNull();
        assertThat(m.get(b("long"))).isNotNull();
        assertThat(m.stats().expiredRemoved()).isEqualTo(2);
        assertThat(m.putIfAbsent(b("short"), b("again"))).isNull();
    }

    @Test
    void namedMapsAreListedAndDroppedWithTheirSpace() {
        long empty = pool.stats().used();
        PmemMap a = pool.map("a");
        pool.map("b").put(b("x"), b("y"));
        for (int i = 0; i < 5000; i++) {
            a.put(b("k" + i), new byte[100]);
        }
        assertThat(pool.mapNames()).containsExactlyInAnyOrder("a", "b");
        pool.dropMap("a");
        pool.dropMap("nope");
        assertThat(pool.mapNames()).containsExactly("b");
        assertThatThrownBy(() -> a.get(b("k1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dropped");
        pool.dropMap("b");
        assertThat(pool.stats().used()).isEqualTo(empty + 64 * 64); // only the catalogue stays
        reopen();
        assertThat(pool.mapNames()).isEmpty();
        assertThat(pool.map("a").size()).isZero();
        assertThatThrownBy(() -> pool.map("x".repeat(48))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clearEmptiesTheMapAndFreesTheEntries() {
        PmemMap m = pool.map("c");
        long before = pool.stats().objects();
        for (int i = 0; i < 3000; i++) {
            m.put(b("k" + i), b("v" + i));
        }
        m.clear();
        assertThat(m.size()).isZero();
        assertThat(m.get(b("k1"))).isNull();
        assertThat(pool.stats().objects()).isLessThanOrEqualTo(before + 1); // at most a grown table more
        m.put(b("k1"), b("again"));
        assertThat(s(m.get(b("k1")))).isEqualTo("again");
    }

    @Test
    void evictionKeepsRecentlyReadEntries() {
        PmemMap m = pool.map("e");
        for (int i = 0; i < 1000; i++) {
            m.put(b("k" + i), new byte[50]);
        }
        for (int i = 0; i < 100; i++) {
            m.get(b("k" + i)); // read: their second chance
        }
        long removed = m.evict(500, Long.MAX_VALUE);
        assertThat(removed).isEqualTo(500);
        assertThat(m.size()).isEqualTo(500);
        int survivors = 0;
        for (int i = 0; i < 100; i++) {
            survivors += m.containsKey(b("k" + i)) ? 1 : 0;
        }
        assertThat(survivors).isEqualTo(100);
        long second = m.evict(0, 1000);
        assertThat(second).isPositive();
        assertThat(m.stats().bytes()).isLessThanOrEqualTo(1000);
        assertThat(m.stats().evicted()).isEqualTo(removed + second);
    }

    @Test
    void aDamagedEntryIsAMissAndIsCounted() throws IOException {
        PmemMap m = pool.map("d");
        m.put(b("key"), b("precious-value"));
        long header = findEntry("precious-value");
        pool.close();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(b("X")), header);
        }
        pool = PmemPool.open(path, OPTIONS);
        m = pool.map("d");
        assertThat(m.get(b("key"))).isNull();
        assertThat(m.stats().checksumFailures()).isEqualTo(1);
        assertThat(m.size()).isZero();
        m.put(b("key"), b("fresh"));
        assertThat(s(m.get(b("key")))).isEqualTo("fresh");
    }

    @Test
    void aReadIntoABufferReusesItGrowsItAndVerifiesWhatItCopies() throws IOException {
        PmemMap m = pool.map("buffered");
        m.put(b("short"), b("abc"));
        byte[] large = new byte[1000];
        java.util.Arrays.fill(large, (byte) 7);
        m.put(b("large"), large);
        PmemMap.ReadBuffer buffer = new PmemMap.ReadBuffer();
        byte[] first = buffer.array();

        assertThat(m.get(b("short"), buffer)).isTrue();
        assertThat(buffer.array()).isSameAs(first);
        assertThat(new String(buffer.array(), buffer.offset(), buffer.length(), StandardCharsets.UTF_8))
                .isEqualTo("abc");
        assertThat(m.get(b("large"), buffer)).isTrue();
        assertThat(buffer.length()).isEqualTo(1000);
        assertThat(java.util.Arrays.copyOfRange(buffer.array(), buffer.offset(), buffer.offset() + buffer.length()))
                .isEqualTo(large);
        assertThat(m.get(b("absent"), buffer)).isFalse();

        long header = findEntry("abc");
        pool.close();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(b("X")), header);
        }
        pool = PmemPool.open(path, OPTIONS);
        m = pool.map("buffered");
        assertThat(m.get(b("short"), buffer)).as("a damaged entry").isFalse();
        assertThat(m.stats().checksumFailures()).isEqualTo(1);
    }

    @Test
    void aPlainReadReturnsValuesOfEverySizeInArraysOfTheirOwn() {
        PmemMap m = pool.map("plain");
        byte[] large = new byte[200 * 1024]; // past what a thread's copy array keeps
        new java.util.Random(7).nextBytes(large);
        m.put(b("large"), large);
        m.put(b("small"), b("abc"));

        byte[] first = m.get(b("large"));
        assertThat(first).isEqualTo(large);
        assertThat(s(m.get(b("small")))).isEqualTo("abc");
        byte[] again = m.get(b("large"));
        assertThat(again).isEqualTo(large).isNotSameAs(first);
        again[0]++;
        assertThat(m.get(b("large"))).as("the caller's array is its own").isEqualTo(large);
    }

    @Test
    void anEntrysExpiryMovesWithItsValueKeptAndSurvivesReopen() {
        PmemMap m = pool.map("idle");
        long soon = System.currentTimeMillis() + 60_000;
        m.put(b("k"), b("v"), soon);
        PmemMap.ReadBuffer buffer = new PmemMap.ReadBuffer();
        assertThat(m.get(b("k"), buffer)).isTrue();
        assertThat(buffer.expiresAt()).isEqualTo(soon);

        long later = soon + 3_600_000;
        assertThat(m.setExpiry(b("k"), later)).isTrue();
        assertThat(m.setExpiry(b("absent"), later)).isFalse();
        reopen();
        m = pool.map("idle");
        assertThat(m.get(b("k"), buffer)).isTrue();
        assertThat(buffer.expiresAt()).isEqualTo(later);
        assertThat(s(m.get(b("k")))).isEqualTo("v");

        assertThat(m.setExpiry(b("k"), System.currentTimeMillis() - 1)).isTrue(); // now in the past
        assertThat(m.get(b("k"))).isNull();
        assertThat(m.setExpiry(b("k"), later))
                .as("an expired entry is not revived")
                .isFalse();
        assertThat(m.stats().checksumFailures()).isZero();
    }

    @Test
    void aSameSizeOverwriteRewritesTheEntryWhereItIs() throws IOException {
        PmemMap m = pool.map("inplace");
        m.put(b("key"), b("value-1"));
        long before = findEntry("value-1"); // (reopens the pool)
        m = pool.map("inplace");
        long objects = pool.stats().objects();

        m.put(b("key"), b("value-2"));

        assertThat(pool.stats().objects()).isEqualTo(objects);
        assertThat(s(m.get(b("key")))).isEqualTo("value-2");
        assertThat(findEntry("value-2")).isEqualTo(before);
        m = pool.map("inplace");
        assertThat(s(m.get(b("key")))).isEqualTo("value-2");
        assertThat(m.stats().bytes()).isEqualTo(24 + 3 + 7);
        assertThat(pool.check().clean()).isTrue();
    }

    @Test
    void anOverwriteOfAnotherSizeTakesANewBlockAndOneOverADamagedValueRepairsIt() throws IOException {
        PmemMap m = pool.map("moves");
        m.put(b("key"), b("value-1"));
        long first = findEntry("value-1"); // (reopens the pool)
        pool.map("moves").put(b("key"), b("longer-value-2"));
        long second = findEntry("longer-value-2");
        assertThat(second).isNotEqualTo(first);

        pool.close();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(b("L")), second); // a value byte: the checksum no longer holds
        }
        pool = PmemPool.open(path, OPTIONS);
        m = pool.map("moves");
        m.put(b("key"), b("longer-value-3")); // same size: rewritten where it is, which repairs it
        assertThat(findEntry("longer-value-3")).isEqualTo(second);
        m = pool.map("moves");
        assertThat(s(m.get(b("key")))).isEqualTo("longer-value-3");

        assertThat(m.stats().checksumFailures()).isZero();
        assertThat(m.stats().bytes()).isEqualTo(24 + 3 + 14);
        assertThat(pool.check().clean()).isTrue();
    }

    @Test
    void aSameSizeOverwriteInsideATransactionIsNotUndoneByItsRollback() {
        PmemMap m = pool.map("tx");
        m.put(b("key"), b("value-1"));
        // The map's writes are atomic on their own and do not join the caller's transaction; an
        // in-place rewrite must not use (or be rolled back with) the transaction's undo log.
        assertThatThrownBy(() -> pool.transaction(tx -> {
                    m.put(b("key"), b("value-2"));
                    throw new IllegalStateException("abort");
                }))
                .hasMessage("abort");

        assertThat(s(m.get(b("key")))).isEqualTo("value-2");
        reopen();
        assertThat(s(pool.map("tx").get(b("key")))).isEqualTo("value-2");
        assertThat(pool.check().clean()).isTrue();
    }

    /** The file offset of {@code text}, scanning the pool (tests only). */
    private long findEntry(String text) throws IOException {
        pool.close();
        byte[] all = java.nio.file.Files.readAllBytes(path);
        pool = PmemPool.open(path, OPTIONS);
        byte[] needle = b(text);
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

    @Test
    void afterAnUnsafeShutdownMapsAreSalvaged() throws IOException {
        PmemMap m = pool.map("s");
        for (int i = 0; i < 100; i++) {
            m.put(b("k" + i), b("value-" + i));
        }
        long damaged = findEntry("value-42");
        pool.close();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(b("#")), damaged);
            // Leave the mark of a process-mode open under another boot (hash 0x1230, mode 2): unsafe.
            ch.write(
                    ByteBuffer.allocate(8)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .putLong(0, 0x1230 | 2),
                    PoolLayout.SHUTDOWN_STATE);
        }
        assertThatThrownBy(() -> PmemPool.open(path, OPTIONS)).isInstanceOf(PoolUnsafeShutdownException.class);
        pool = PmemPool.open(path, OPTIONS.withAcceptUnsafeShutdown(true));
        m = pool.map("s");
        assertThat(m.stats().salvageDropped()).isEqualTo(1);
        assertThat(m.size()).isEqualTo(99);
        assertThat(m.get(b("k42"))).isNull();
        assertThat(s(m.get(b("k41")))).isEqualTo("value-41");
    }

    @Test
    void aDamagedLengthIsAMissNotAHugeArray() throws IOException {
        PmemMap m = pool.map("lengths");
        m.put(b("victim-key"), b("victim-value"));
        m.put(b("other-key"), b("other-value"));
        long key = findEntry("victim-key");
        pool.close();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // the value length word (entry + 8; the key starts at entry + 24) claims ~2 GB
            ch.write(
                    ByteBuffer.allocate(4)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .putInt(0, 0x7FFF_FFF0),
                    key - 16);
        }
        pool = PmemPool.open(path, OPTIONS);
        m = pool.map("lengths");
        List<String> keys = new java.util.ArrayList<>();
        m.forEach(e -> keys.add(s(e.key())));
        assertThat(keys).containsExactly("other-key"); // iteration skips it
        assertThat(m.get(b("victim-key"))).isNull(); // a get drops it
        assertThat(m.stats().checksumFailures()).isEqualTo(1);
        assertThat(s(m.get(b("other-key")))).isEqualTo("other-value");
        assertThat(pool.check().clean()).as(pool.check().toString()).isTrue();
    }
}
