package dev.pmemspring.core.internal.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files this JVM holds (or is about to take) an OS lock on, by file identity. Java's file
 * locks on Linux are POSIX record locks: they belong to the process, and closing any descriptor
 * of the file releases them all. Opening a locked pool a second time and closing that channel
 * would therefore let another process open the pool beside us; so no code opens a file held here.
 */
final class LockedFiles {

    private static final Set<Object> HELD = ConcurrentHashMap.newKeySet();

    private LockedFiles() {}

    /** The file's identity (device and inode where the platform has them), read without opening it. */
    static Object identity(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key != null ? key : file.toRealPath();
    }

    /** Claims the file for this JVM; false if some code here holds it already. */
    static boolean claim(Object identity) {
        return HELD.add(identity);
    }

    static boolean isHeld(Object identity) {
        return HELD.contains(identity);
    }

    static void release(Object identity) {
        HELD.remove(identity);
    }
}
