package dev.pmemspring.core;

import org.jspecify.annotations.Nullable;

import java.nio.file.Path;

/**
 * A pool that takes no more changes: writing back to its file failed, or a log that undoes or
 * completes a change could not be applied. The file may then hold a change that only recovery
 * finishes, so every later allocation, free, transaction and map change is refused with this
 * exception until the pool is closed and opened again; reads go on. Stores through a
 * {@link MemoryBlock} are the program's own and are not refused: recovery may undo them where a
 * log restores their range. The cause is the first failure. PMDK stops at the same points by
 * aborting the process.
 *
 * <pre>{@code
 * try {
 *     map.put(key, value);
 * } catch (PoolStoppedException e) {
 *     // check the storage (the cause says what failed), then reopen: recovery completes the change
 *     pool.close();
 *     pool = PmemPool.open(path, options);
 * }
 * }</pre>
 */
public class PoolStoppedException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolStoppedException(@Nullable Path path, String message, @Nullable Throwable cause) {
        super(path, message, cause);
    }
}
