package dev.pmemspring.core.internal.file;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Whether the pool was closed cleanly, as PMDK's shutdown state: at open the pool is marked in use
 * with the durability mode and the machine's boot id; close clears the mark. A mark left under
 * another boot id means a machine crash cut the pool while open; in {@code process} durability the
 * kernel may then have written back any subset of its pages.
 *
 * <p>The mark is one 8-byte word, stored atomically, so no crash can tear it:
 * {@code hash of the boot id (high 62 bits) | mode (low 2 bits: 0 closed, 1 open sync, 2 open process)}.
 * Where no boot id can be read (not Linux) the hash is 0 and the check cannot tell, and says nothing.
 *
 * <p>In {@code sync} durability a machine crash loses nothing, unless the device itself failed to
 * flush what it had accepted. Its DIMMs count such dirty shutdowns, so the count at open is kept
 * beside the mark ({@link PoolLayout#DIRTY_SHUTDOWNS}); a pool left open whose device now counts
 * more was cut by one, as PMDK's unsafe shutdown count tells it.
 */
public final class ShutdownState {

    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final long THIS_BOOT = bootHash(readBootId());
    private static final long MODE = 3;
    private static final long SYNC = 1;
    private static final long PROCESS = 2;

    private ShutdownState() {}

    /** Whether the pool was left open in process mode by a boot other than this one. */
    public static boolean wasCutByMachineCrash(PersistentMemory memory) {
        long mark = memory.getLong(PoolLayout.SHUTDOWN_STATE);
        long boot = mark & ~MODE;
        return (mark & MODE) == PROCESS && THIS_BOOT != 0 && boot != 0 && boot != THIS_BOOT;
    }

    /**
     * Whether the pool was left open in sync mode and its device has counted a dirty shutdown since
     * ({@code dirtyShutdownsNow} is the device's count now, -1 when it reports none).
     */
    public static boolean wasCutByDeviceDirtyShutdown(PersistentMemory memory, long dirtyShutdownsNow) {
        long mark = memory.getLong(PoolLayout.SHUTDOWN_STATE);
        long recorded = memory.getLong(PoolLayout.DIRTY_SHUTDOWNS) - 1;
        return (mark & MODE) == SYNC && recorded >= 0 && dirtyShutdownsNow > recorded;
    }

    /** Marks the pool open; {@code dirtyShutdowns} is the device's count now, -1 when it reports none. */
    public static void markOpen(PersistentMemory memory, Durability durability, long dirtyShutdowns) {
        // The count is persisted before the mark: a mark that says open then never sits beside a
        // count older than its open, which would report a dirty shutdown from before that open.
        recordDirtyShutdowns(memory, dirtyShutdowns);
        write(memory, THIS_BOOT | (durability == Durability.SYNC ? SYNC : PROCESS));
    }

    public static void markClosed(PersistentMemory memory) {
        write(memory, 0);
    }

    /** Writes the mark of a pool open in {@code durability} under boot {@code boot} (tests forge other boots). */
    static void markOpen(PersistentMemory memory, Durability durability, UUID boot, long dirtyShutdowns) {
        recordDirtyShutdowns(memory, dirtyShutdowns); // before the mark, as in markOpen above
        markOpen(memory, durability, boot);
    }

    private static void recordDirtyShutdowns(PersistentMemory memory, long dirtyShutdowns) {
        memory.putLongAtomic(PoolLayout.DIRTY_SHUTDOWNS, dirtyShutdowns < 0 ? 0 : dirtyShutdowns + 1);
        memory.persist(PoolLayout.DIRTY_SHUTDOWNS, 8);
    }

    static void markOpen(PersistentMemory memory, Durability durability, UUID boot) {
        write(memory, bootHash(boot) | (durability == Durability.SYNC ? SYNC : PROCESS));
    }

    private static void write(PersistentMemory memory, long mark) {
        memory.putLongAtomic(PoolLayout.SHUTDOWN_STATE, mark);
        memory.persist(PoolLayout.SHUTDOWN_STATE, 8);
    }

    private static long bootHash(UUID boot) {
        if (boot == null) {
            return 0;
        }
        long h = boot.getMostSignificantBits() * 0x9E3779B97F4A7C15L ^ boot.getLeastSignificantBits();
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (h & ~MODE) == 0 ? 4 : h & ~MODE;
    }

    private static UUID readBootId() {
        try {
            return UUID.fromString(Files.readString(BOOT_ID).trim());
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
