package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * The pool was open in {@link Durability#PROCESS} mode when the machine went down (an OS crash or
 * power loss: the boot id changed while the pool was marked in use). In that mode the kernel may
 * have written back any subset of the pool's pages, so its contents may be torn. Open it with
 * {@link PoolOptions#withAcceptUnsafeShutdown(boolean)} to salvage what verifies (a cache can start
 * cold), or restore it from a backup.
 */
public class PoolUnsafeShutdownException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolUnsafeShutdownException(Path path, String message) {
        super(path, message);
    }
}
