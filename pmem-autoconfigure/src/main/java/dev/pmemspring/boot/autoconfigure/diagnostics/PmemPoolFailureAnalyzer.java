package dev.pmemspring.boot.autoconfigure.diagnostics;

import dev.pmemspring.core.NotAPoolException;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PoolCorruptedException;
import dev.pmemspring.core.PoolFormatTooNewException;
import dev.pmemspring.core.PoolInUseException;
import dev.pmemspring.core.PoolLayoutMismatchException;
import dev.pmemspring.core.PoolNoSpaceException;
import dev.pmemspring.core.PoolStoppedException;
import dev.pmemspring.core.PoolOutOfMemoryException;
import dev.pmemspring.core.PoolTooSmallException;
import dev.pmemspring.core.PoolTruncatedException;
import dev.pmemspring.core.PoolUnsafeShutdownException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up that failed because the pmem pool could not be opened or created: what
 * happened (the pool's own message names the file and the cause) and what to change, in terms of
 * the {@code pmem.pool.*} properties. Bad property values are reported by Spring Boot's own
 * analyzers (binding errors and {@code InvalidConfigurationPropertyValueException}).
 */
public class PmemPoolFailureAnalyzer extends AbstractFailureAnalyzer<PmemException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PmemException cause) {
        String path = cause.path() == null ? "the pool" : "the pool file " + cause.path();
        String what = switch (cause) {
            case PoolInUseException e ->
                path + " is already open in another process (or another application"
                        + " context in this one); a pool has one owner at a time.";
            case PoolLayoutMismatchException e -> path + " was created for another layout.";
            case PoolCorruptedException e -> path + " is damaged.";
            case PoolTruncatedException e -> path + " is shorter than the pool it holds.";
            case NotAPoolException e -> path + " is not a pmem pool.";
            case PoolFormatTooNewException e -> path + " was written by a newer release.";
            case PoolNoSpaceException e -> "There is no room on the file system to create " + path + ".";
            case PoolTooSmallException e -> "The pool size is too small.";
            case PoolUnsafeShutdownException e ->
                path + " was cut by a machine crash (OS crash or power loss)"
                        + " while it was open in 'process' durability.";
            case PoolOutOfMemoryException e -> path + " is out of memory.";
            case PoolStoppedException e ->
                path + " stopped taking changes: its storage failed a write-back, or a log could not be applied.";
            default -> "The pmem pool could not be opened.";
        };
        String action = switch (cause) {
            case PoolInUseException e ->
                "Stop the other process (or close the other context) that holds the pool,"
                        + " or give this instance its own pool file with pmem.pool.path.";
            case PoolLayoutMismatchException e ->
                "Set pmem.pool.layout to the layout the pool was created with if"
                        + " it belongs to this application, or point pmem.pool.path at another file.";
            case PoolCorruptedException e ->
                "Run the pool tool's 'check' on the file for details, then restore it"
                        + " from a backup, or delete it (pmem.pool.create-if-missing creates an empty pool).";
            case PoolTruncatedException e ->
                "Restore the file from a backup, or delete it to start with an empty"
                        + " pool (pmem.pool.create-if-missing creates one).";
            case NotAPoolException e ->
                "Check pmem.pool.path: it names a file that is not a pool. Point it at a"
                        + " pool, or at a path where no file exists so that a pool is created there.";
            case PoolFormatTooNewException e ->
                "Upgrade pmem-spring to the release that wrote the pool, or point" + " pmem.pool.path at another file.";
            case PoolNoSpaceException e ->
                "Free space on the file system, lower pmem.pool.size, or point"
                        + " pmem.pool.path at a file system with room.";
            case PoolTooSmallException e -> "Set pmem.pool.size to at least 8MB.";
            case PoolUnsafeShutdownException e ->
                "Set pmem.pool.accept-unsafe-shutdown=true to open it anyway"
                        + " (caches keep only the entries that verify, or start cold with"
                        + " pmem.cache.after-unsafe-shutdown=start-cold), or restore the file from a backup. Use"
                        + " pmem.pool.durability=sync where a machine crash must not tear the pool.";
            case PoolOutOfMemoryException e ->
                "Create a larger pool (pmem.pool.size, for a new file) or bound the"
                        + " caches (pmem.cache.maximum-bytes).";
            case PoolStoppedException e ->
                "Check the storage under pmem.pool.path (for an I/O error the kernel log names it), then start"
                        + " again: opening the pool recovers what the failure cut short.";
            default -> "Check the pmem.pool.* properties; the message above names the cause.";
        };
        return new FailureAnalysis(what + "\n\n" + cause.getMessage(), action, cause);
    }
}
