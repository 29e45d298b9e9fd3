package dev.pmemspring.core.internal.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The temporary file a pool is built in before it gets its name, and what a cut creation leaves
 * of it: cut before the link, a file that is no pool; cut after it, a second name of the finished
 * pool. Both are removed at the next create or open of the pool's path, and never opened as a
 * pool. A temporary file that a creator still holds is left alone.
 */
final class CreationLeftovers {

    private static final String MARK = ".creating-";

    private CreationLeftovers() {}

    /** A fresh temporary name beside {@code pool}, hidden, and unique to one creation. */
    static Path temporaryFor(Path pool) {
        return folderOf(pool).resolve(prefixOf(pool) + UUID.randomUUID());
    }

    static Path folderOf(Path pool) {
        return pool.toAbsolutePath().getParent();
    }

    /**
     * Removes the leftovers of earlier creations of {@code pool}, then syncs the folder if it
     * removed any, so they stay removed.
     *
     * @param poolIdentity the pool file's identity when the caller holds it open and locked, else null
     * @return how many names were removed
     */
    static int remove(Path pool, Object poolIdentity, FileNames names) throws IOException {
        Path folder = folderOf(pool);
        String prefix = prefixOf(pool);
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith(prefix) && removeIfLeftover(entry, poolIdentity, names)) {
                    removed++;
                }
            }
        }
        if (removed > 0) {
            names.syncFolder(folder);
        }
        return removed;
    }

    private static boolean removeIfLeftover(Path entry, Object poolIdentity, FileNames names) throws IOException {
        Object identity;
        try {
            identity = LockedFiles.identity(entry);
        } catch (NoSuchFileException gone) {
            return false;
        }
        if (identity.equals(poolIdentity)) {
            // Another name of the pool the caller holds: removing it frees no data, and opening it
            // here would release the caller's lock (see LockedFiles).
            names.remove(entry);
            return true;
        }
        if (LockedFiles.isHeld(identity)) {
            return false; // a creation under way in this JVM
        }
        try (FileChannel channel = FileChannel.open(entry, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false; // a creation under way in another process
            }
            // A creator locks its temporary file until it is done with it: this one has none.
            names.remove(entry);
            return true;
        } catch (NoSuchFileException | OverlappingFileLockException gone) {
            return false;
        }
    }

    private static String prefixOf(Path pool) {
        return "." + pool.getFileName() + MARK;
    }
}
