package dev.pmemspring.core;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The pool was open in {@link Durability#PROCESS} mode when the machine went down (an OS crash or
 * power loss: the boot id changed while the pool was marked in use). In that mode the kernel may
 * have written back any subset of the pool's pages, so its contents may be torn. Open it with
 * {@link PoolOptions#withAcceptUnsafeShutdown(boolean)} to salvage what verifies (a cache can start
 * cold), or restore it from a backup.
 *
 * <p>It says what the pool holds ({@link #hasRoot()}, {@link #mapNames()}), as read from the file
 * without changing it, so that a caller can decide whether salvaging it loses anything but caches.
 */
public class PoolUnsafeShutdownException extends PmemException {

    private static final long serialVersionUID = 1L;

    private final boolean root;

    private final transient @Nullable List<String> maps;

    /** A pool whose contents are not known: as if it held a root and maps that cannot be named. */
    public PoolUnsafeShutdownException(Path path, String message) {
        this(path, message, true, null);
    }

    /**
     * @param root whether the pool has a root block
     * @param maps the names of its maps, or null if they could not be read
     */
    public PoolUnsafeShutdownException(Path path, String message, boolean root, @Nullable List<String> maps) {
        super(path, message);
        this.root = root;
        this.maps = maps == null ? null : List.copyOf(maps);
    }

    /** Whether the pool has a root block, the start of the application's own data. */
    public boolean hasRoot() {
        return root;
    }

    /** The names of the pool's maps, or null if they could not be read. */
    public @Nullable List<String> mapNames() {
        return maps;
    }
}
