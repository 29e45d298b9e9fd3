package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The persistent map under simulated power loss: after a crash in a put, replace or remove, every
 * key holds its old value, its new value, or nothing (never a mix), no block leaks, and the pool
 * check is clean. The example of checking a new persistent structure with the simulator.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MapCrashSimTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The map's entries, sorted, and the allocator's object count (a leak changes it). */
    static Object observe(PmemPool pool) {
        List<String> entries = new ArrayList<>();
        for (PmemMap.Entry e : pool.map("m")) {
            entries.add(
                    new String(e.key(), StandardCharsets.UTF_8) + "=" + new String(e.value(), StandardCharsets.UTF_8));
        }
        entries.sort(null);
        return List.of(entries, pool.stats().objects());
    }

    @Test
    void putReplaceRemove() {
        CrashSimulator.scenario("map: put a new key, replace one, remove one")
                .setup(pool -> {
                    PmemMap m = pool.map("m");
                    m.put(bytes("a"), bytes("1"));
                    m.put(bytes("b"), bytes("2"));
                    return m;
                })
                .operation((pool, m, steps) -> {
                    m.put(bytes("c"), bytes("3"));
                    steps.done();
                    m.put(bytes("a"), bytes("one, longer"));
                    steps.done();
                    m.remove(bytes("b"));
                })
                .observe((pool, m) -> observe(pool))
                .unknownReachable()
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    @ParameterizedTest(name = "stores persist in order: {0}")
    @ValueSource(booleans = {false, true})
    void sameSizeOverwritesRewrittenInPlace(boolean inOrder) {
        // Same-size puts rewrite the entry where it is, through the lane's undo log: a crash at any
        // point leaves the old value or the new one, and the log is emptied for the next rewrite.
        // In order (durability process) the log's snapshots are ordered, not checksummed.
        CrashSimulator.scenario("map: same-size overwrites, rewritten in place")
                .setup(pool -> {
                    PmemMap m = pool.map("m");
                    m.put(bytes("a"), bytes("value-1"));
                    m.put(bytes("b"), bytes("other-1"));
                    return m;
                })
                .operation((pool, m, steps) -> {
                    m.put(bytes("a"), bytes("value-2"));
                    steps.done();
                    m.put(bytes("b"), bytes("other-2"));
                    steps.done();
                    m.put(bytes("a"), bytes("value-3"));
                })
                .observe((pool, m) -> observe(pool))
                .unknownReachable()
                .storesPersistInOrder(inOrder)
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    @Test
    void removesThatEmptyTombstones() {
        // Four keys of one stripe and start slot fill consecutive slots: removing the first two
        // leaves tombstones, removing the third (the slot after it is empty) empties its slot and
        // both tombstones before it, outside the redo log; the fourth put reuses the emptied run.
        List<byte[]> k = dev.pmemspring.core.internal.map.MapTestAccess.collidingKeys("t", 4);
        CrashSimulator.scenario("map: removes that empty the tombstones before them")
                .setup(pool -> {
                    PmemMap m = pool.map("m");
                    for (int i = 0; i < 3; i++) {
                        m.put(k.get(i), bytes("v" + i));
                    }
                    return m;
                })
                .operation((pool, m, steps) -> {
                    m.remove(k.get(0));
                    steps.done();
                    m.remove(k.get(1));
                    steps.done();
                    m.remove(k.get(2));
                    steps.done();
                    m.put(k.get(3), bytes("v3"));
                })
                // Iteration walks every slot; a get probes: a slot emptied too early hides the keys
                // after it from gets alone.
                .observe((pool, m) -> {
                    PmemMap map = pool.map("m");
                    for (PmemMap.Entry e : map) {
                        if (!java.util.Arrays.equals(map.get(e.key()), e.value())) {
                            throw new AssertionError(
                                    new String(e.key(), StandardCharsets.UTF_8) + " is iterated but not found");
                        }
                    }
                    return observe(pool);
                })
                .unknownReachable()
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    /** Deadlines in 2096: live for the whole run (an expired entry's deadline is not moved). */
    private static final long FAR = 4_000_000_000_000L;

    @ParameterizedTest(name = "stores persist in order: {0}")
    @ValueSource(booleans = {false, true})
    void expiryMovedInPlace(boolean inOrder) {
        // setExpiry (time-to-idle) rewrites the entry's header where it is, through the lane's undo
        // log: a crash leaves the old deadline or the new one, with the value intact either way.
        CrashSimulator.scenario("map: expiry deadlines moved in place")
                .setup(pool -> {
                    PmemMap m = pool.map("m");
                    m.put(bytes("a"), bytes("value-a"), FAR + 1_000L);
                    m.put(bytes("b"), bytes("value-b"), FAR + 2_000L);
                    return m;
                })
                .operation((pool, m, steps) -> {
                    m.setExpiry(bytes("a"), FAR + 5_000L);
                    steps.done();
                    m.setExpiry(bytes("b"), FAR + 6_000L);
                    steps.done();
                    m.setExpiry(bytes("a"), FAR + 7_000L);
                })
                .observe((pool, m) -> {
                    List<String> entries = new ArrayList<>();
                    for (PmemMap.Entry e : pool.map("m")) {
                        entries.add(new String(e.key(), StandardCharsets.UTF_8) + "="
                                + new String(e.value(), StandardCharsets.UTF_8) + "@" + e.expiresAt());
                    }
                    entries.sort(null);
                    return List.of(entries, pool.stats().objects());
                })
                .unknownReachable()
                .storesPersistInOrder(inOrder)
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    /** How many keys "g0".."g(n-1)" a fresh map takes before the next put grows its table. */
    private static int keysBeforeGrowth(Path dir) {
        try (PmemPool pool = PmemPool.create(
                dir.resolve("probe.pool"),
                dev.pmemspring.core.PoolOptions.layout("probe")
                        .withDurability(dev.pmemspring.core.Durability.PROCESS))) {
            PmemMap m = pool.map("m");
            for (int i = 0; ; i++) {
                long before = pool.stats().objects();
                m.put(bytes("g" + i), bytes("v" + i));
                if (pool.stats().objects() - before > 1) { // the entry and a new table
                    return i;
                }
            }
        }
    }

    @Test
    void putThatGrowsTheTable() {
        int n = keysBeforeGrowth(dir);
        CrashSimulator.scenario("map: the put that grows the table, then puts that move stripes")
                .setup(pool -> {
                    PmemMap m = pool.map("m");
                    for (int i = 0; i < n; i++) {
                        m.put(bytes("g" + i), bytes("v" + i));
                    }
                    return m;
                })
                .operation((pool, m, steps) -> {
                    m.put(bytes("g" + n), bytes("v" + n)); // allocates the new table, moves its stripe
                    steps.done();
                    m.put(bytes("g" + (n + 1)), bytes("w")); // moves its stripe and helps move another
                })
                // Growth publishes the new table before the put that needed it: a crash between
                // leaves the old entries with one more table, so observe entries and "no leak".
                .observe((pool, m) -> {
                    List<String> entries = new ArrayList<>();
                    for (PmemMap.Entry e : pool.map("m")) {
                        entries.add(new String(e.key(), StandardCharsets.UTF_8));
                    }
                    entries.sort(null);
                    long others = pool.stats().objects() - entries.size(); // catalogue, header, 1 or 2 tables
                    return List.of(entries, others == 3 || others == 4);
                })
                .unknownReachable()
                .explore(Exploration.sampled(40, 2))
                .run(dir);
    }
}
