package dev.pmemspring.bench.suite;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JMH allows one run per machine: it holds a lock on {@code <tmpdir>/jmh.lock} while it runs. A
 * suite waits for another run to finish rather than measure beside it (or fail on the lock). Only
 * {@code /proc/locks} is read, the lock is never taken, so the other run is not disturbed.
 */
final class JmhLock {

    private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");

    private JmhLock() {}

    /** Whether another process holds JMH's lock now (false where {@code /proc/locks} cannot tell). */
    static boolean held() {
        try {
            if (!Files.exists(LOCK)) {
                return false;
            }
            Object inode = Files.getAttribute(LOCK, "unix:ino");
            // a line of /proc/locks: "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"
            String device = ":" + inode + " ";
            return Files.readAllLines(Path.of("/proc/locks")).stream().anyMatch(l -> l.contains(device));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Returns once no other JMH run holds the lock. */
    static void awaitFree(PrintStream log) throws InterruptedException {
        if (held()) {
            log.println("   another JMH run holds " + LOCK + "; waiting for it to finish");
            while (held()) {
                Thread.sleep(5_000);
            }
        }
    }
}
