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
 * <pre>  +0 mode (0 closed, 1 open sync, 2 open process)  +8 boot id (16)  +24 checksum</pre>
 *
 * Where no boot id can be read (not Linux) the check cannot tell, and says nothing.
 */
public final class ShutdownState {

    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    private static final UUID THIS_BOOT = readBootId();

    private ShutdownState() {
    }

    /** Whether the pool was left open in process mode by a boot other than this one. */
    public static boolean wasCutByMachineCrash(PersistentMemory memory) {
        long base = PoolLayout.SHUTDOWN_STATE;
        long mode = memory.getLong(base);
        long hi = memory.getLong(base + 8);
        long lo = memory.getLong(base + 16);
        if (mode == 0 && hi == 0 && lo == 0) {
            return false;
        }
        if (memory.getLong(base + 24) != checksum(mode, hi, lo)) {
            // A mark torn by a crash while it was written: assume the worst.
            return true;
        }
        if (mode != 2 || THIS_BOOT == null || (hi == 0 && lo == 0)) {
            return false;
        }
        return hi != THIS_BOOT.getMostSignificantBits() || lo != THIS_BOOT.getLeastSignificantBits();
    }

    public static void markOpen(PersistentMemory memory, Durability durability) {
        write(memory, durability == Durability.SYNC ? 1 : 2, THIS_BOOT);
    }

    public static void markClosed(PersistentMemory memory) {
        write(memory, 0, null);
    }

    static void write(PersistentMemory memory, long mode, UUID boot) {
        long base = PoolLayout.SHUTDOWN_STATE;
        long hi = boot == null ? 0 : boot.getMostSignificantBits();
        long lo = boot == null ? 0 : boot.getLeastSignificantBits();
        memory.putLong(base, mode);
        memory.putLong(base + 8, hi);
        memory.putLong(base + 16, lo);
        memory.putLong(base + 24, mode == 0 && boot == null ? 0 : checksum(mode, hi, lo));
        memory.persist(base, 32);
    }

    private static long checksum(long mode, long hi, long lo) {
        long h = 0x3C6EF372FE94F82BL;
        for (long w : new long[] {mode, hi, lo}) {
            h = (h ^ w) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 31;
        }
        return h;
    }

    private static UUID readBootId() {
        try {
            return UUID.fromString(Files.readString(BOOT_ID).trim());
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
