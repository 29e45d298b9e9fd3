package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.PmemPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The allocator under simulated power loss: every crash point of allocate, allocateInto, free,
 * freeFrom and root resizing, small (run units) and large (chunk spans, with splits), each image
 * recovered by the real open. After every crash the operation happened entirely or not at all,
 * nothing reachable is free, nothing leaked, new allocations overlap nothing live, and a published
 * block holds the contents its initializer wrote.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AllocatorCrashSimTest {

    private static final long SMALL = 64;
    private static final long LARGE = 300 * 1024; // two chunks: splits the free span

    @TempDir
    Path dir;

    /** Root slots, and the block an operation allocates outside them (0 until it does). */
    static final class Ctx {
        final long root;
        long block;

        Ctx(long root) {
            this.root = root;
        }
    }

    private static boolean allocated(PmemPool pool, long handle) {
        try {
            pool.sizeOf(handle);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The slots, and the loose block: absent (0 or free) or its tagged contents. */
    private static Object observeWithBlock(PmemPool pool, Ctx c) {
        List<Object> state = new ArrayList<>(RootSlots.observe(pool, c.root));
        state.add(c.block != 0 && allocated(pool, c.block) ? RootSlots.describe(pool, c.block) : "absent");
        return state;
    }

    private static List<Long> reachableWithBlock(PmemPool pool, Ctx c) {
        List<Long> handles = new ArrayList<>(RootSlots.handles(pool, c.root));
        if (c.block != 0 && allocated(pool, c.block)) {
            handles.add(c.block);
        }
        return handles;
    }

    private static CrashSimulator<Ctx> looseBlockScenario(String name) {
        return CrashSimulator.scenario(name)
                .setup(pool -> new Ctx(RootSlots.create(pool)))
                .observe(AllocatorCrashSimTest::observeWithBlock)
                .reachable(AllocatorCrashSimTest::reachableWithBlock);
    }

    /** allocateInto slot {@code slot} a block of {@code size} bytes tagged with {@code id}. */
    private static void allocInto(PmemPool pool, long root, int slot, long size, int id) {
        long tag = RootSlots.tagFor(size, id);
        pool.allocateInto(RootSlots.slot(root, slot), size, b -> RootSlots.tag(b, size, tag));
    }

    private static void allocateTagged(PmemPool pool, Ctx c, long size) {
        long tag = RootSlots.tagFor(size, 7);
        c.block = pool.allocate(size, b -> RootSlots.tag(b, size, tag));
    }

    @Test
    void allocateSmallWithInitializer() {
        var report = looseBlockScenario("allocate 64 B with an initializer")
                .operation((pool, c, steps) -> allocateTagged(pool, c, SMALL))
                .explore(Exploration.exhaustive(4))
                .run(dir);
        assertThat(report.images()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void allocateLargeWithInitializer() {
        looseBlockScenario("allocate 300 KiB with an initializer")
                .operation((pool, c, steps) -> allocateTagged(pool, c, LARGE))
                .explore(Exploration.exhaustive(4))
                .run(dir);
    }

    @Test
    void allocateSmallCreatingARun() {
        // 1 KiB units: no run of that class exists yet, so the allocation first turns a chunk into a run.
        looseBlockScenario("allocate 1 KiB in a new run")
                .operation((pool, c, steps) -> allocateTagged(pool, c, 1024))
                .explore(Exploration.exhaustive(4))
                .run(dir);
    }

    @Test
    void allocateIntoSmallAndLarge() {
        var report = CrashSimulator.scenario("allocateInto 64 B, then 300 KiB")
                .setup(RootSlots::create)
                .operation((pool, root, steps) -> {
                    allocInto(pool, root, 0, SMALL, 1);
                    steps.done();
                    allocInto(pool, root, 1, LARGE, 2);
                })
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(4))
                .run(dir);
        assertThat(report.redoReplays())
                .as("some images must need their redo log replayed")
                .isPositive();
    }

    @Test
    void freeSmallAndLarge() {
        for (long size : new long[] {SMALL, LARGE}) {
            looseBlockScenario("free " + size + " B")
                    .setup(pool -> {
                        Ctx c = new Ctx(RootSlots.create(pool));
                        allocateTagged(pool, c, size);
                        return c;
                    })
                    .operation((pool, c, steps) -> pool.free(c.block))
                    .explore(Exploration.exhaustive(4))
                    .run(dir);
        }
    }

    @Test
    void freeFromSmallAndLarge() {
        var report = CrashSimulator.scenario("freeFrom 64 B, then 300 KiB")
                .setup(pool -> {
                    long root = RootSlots.create(pool);
                    for (int slot = 0; slot < 2; slot++) {
                        long size = slot == 0 ? SMALL : LARGE;
                        long tag = RootSlots.tagFor(size, slot);
                        pool.allocateInto(RootSlots.slot(root, slot), size, b -> RootSlots.tag(b, size, tag));
                    }
                    return root;
                })
                .operation((pool, root, steps) -> {
                    pool.freeFrom(RootSlots.slot(root, 0));
                    steps.done();
                    pool.freeFrom(RootSlots.slot(root, 1));
                })
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(4))
                .run(dir);
        assertThat(report.redoReplays()).isPositive();
    }

    @Test
    void rootResize() {
        CrashSimulator.scenario("root 64 B -> 1 KiB -> 300 KiB")
                .setup(pool -> {
                    var root = pool.root(64);
                    root.putLong(0, 0xAAAA);
                    root.putLong(56, 0xBBBB);
                    root.persist();
                    return root.handle();
                })
                .operation((pool, first, steps) -> {
                    pool.root(1024);
                    steps.done();
                    pool.root(LARGE);
                })
                // Handle and size move together; the contents are copied, the rest reads zero.
                .observe((pool, first) -> {
                    var root = pool.root(pool.rootSize());
                    return List.of(
                            root.size(),
                            root.handle(),
                            root.getLong(0),
                            root.getLong(56),
                            root.getLong(root.size() - 8));
                })
                .explore(Exploration.exhaustive(3))
                .run(dir);
    }

    @Test
    void mixedSequence() {
        CrashSimulator.scenario("allocateInto, allocateInto large, freeFrom, allocateInto reusing, freeFrom large")
                .setup(RootSlots::create)
                .operation((pool, root, steps) -> {
                    allocInto(pool, root, 0, 100, 1);
                    steps.done();
                    allocInto(pool, root, 1, 600 * 1024, 2);
                    steps.done();
                    pool.freeFrom(RootSlots.slot(root, 0));
                    steps.done();
                    pool.allocateInto(RootSlots.slot(root, 2), 100, null); // no initializer: contents undefined
                    steps.done();
                    pool.freeFrom(RootSlots.slot(root, 1));
                })
                .observe(RootSlots::observe)
                .reachable(RootSlots::handles)
                .explore(Exploration.exhaustive(2))
                .run(dir);
    }
}
