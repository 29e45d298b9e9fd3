package dev.pmemspring.boot.autoconfigure;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.pmemspring.boot.PmemPoolOptionsCustomizer;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolInUseException;
import dev.pmemspring.core.PoolUnsafeShutdownException;
import dev.pmemspring.cache.PmemCacheManager;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Turns {@code pmem.pool.*} into an open pool (internal: not part of the public API).
 */
final class PoolOpener {

    private static final Log LOG = LogFactory.getLog(PoolOpener.class);

    /** Smallest pool the core accepts. */
    static final long MIN_SIZE = 8L << 20;

    private PoolOpener() {}

    static PmemPoolStartup open(PmemProperties.Pool props, List<PmemPoolOptionsCustomizer> customizers) {
        if (props.isTemporary()) {
            return temporary(props, customizers);
        }
        Path path = props.getPath();
        if (path == null) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.pool.path",
                    null,
                    "a pool needs a file: set pmem.pool.path (for example /dev/shm/myapp.pool, or a file on a DAX"
                            + " file system), or set pmem.enabled=false to switch pmem off");
        }
        validate(props);
        boolean exists = Files.exists(path);
        if (!exists) {
            if (!props.isCreateIfMissing()) {
                throw new PmemException(
                        path,
                        "no pool file exists there and pmem.pool.create-if-missing is false;"
                                + " create the pool first (the pool tool's 'create'), fix pmem.pool.path, or set"
                                + " pmem.pool.create-if-missing=true");
            }
            createParents(path);
        }
        // after the folder exists: the default durability depends on what it can map
        PoolOptions options = options(props, path);
        for (PmemPoolOptionsCustomizer customizer : customizers) {
            options = customizer.customize(options);
        }
        PmemPoolStartup startup =
                exists ? openExisting(path, options) : PmemPoolStartup.opened(PmemPool.create(path, options));
        // the pool's own INFO line says what was opened and recovered: one line per pool
        if (props.getDurability() == null && LOG.isDebugEnabled()) {
            LOG.debug("pmem pool " + path + ": durability " + options.durability() + " chosen by what its folder maps");
        }
        return startup;
    }

    /**
     * A new pool in a new temporary folder, deleted when the context closes ({@code
     * pmem.pool.temporary}): PROCESS durability, as nothing in it outlives the process.
     */
    private static PmemPoolStartup temporary(PmemProperties.Pool props, List<PmemPoolOptionsCustomizer> customizers) {
        validate(props);
        Path folder;
        try {
            folder = Files.createTempDirectory("pmem-pool-");
        } catch (IOException e) {
            throw new PmemException(
                    Path.of(System.getProperty("java.io.tmpdir")),
                    "cannot create a folder for a temporary pool (pmem.pool.temporary=true): " + e
                            + "; make java.io.tmpdir writable, or set pmem.pool.path instead",
                    e);
        }
        Path path = folder.resolve("temporary.pool");
        PoolOptions options = options(props, path)
                .withDurability(props.getDurability() != null ? props.getDurability() : Durability.PROCESS);
        for (PmemPoolOptionsCustomizer customizer : customizers) {
            options = customizer.customize(options);
        }
        return new PmemPoolStartup(PmemPool.create(path, options), null, null, folder);
    }

    /**
     * Opens an existing pool. One cut by an unsafe shutdown (an OS crash or a power cut in process
     * durability, or a dirty shutdown of its device in sync) is opened anyway when it holds only caches: what verifies is kept, the rest is
     * dropped and loaded again, which is what a cache is for. One that holds more (a root block,
     * maps used directly) stays refused unless pmem.pool.accept-unsafe-shutdown is set, because
     * torn application data must not be used silently.
     */
    private static PmemPoolStartup openExisting(Path path, PoolOptions options) {
        try {
            return PmemPoolStartup.opened(PmemPool.open(path, options));
        } catch (PoolUnsafeShutdownException cut) {
            // Decided on what the refusal read from the file, before anything wrote to it: a pool
            // opened to look would be marked clean on close, and the next start would not refuse it.
            if (!PmemCacheManager.holdsOnlyCaches(cut)) {
                String held = cut.hasRoot()
                        ? "a root block"
                        : cut.mapNames() == null ? "maps that cannot be named" : "maps " + cut.mapNames();
                String reason = cut.getMessage();
                String prefix = "pool " + path + ": ";
                if (reason.startsWith(prefix)) {
                    reason = reason.substring(prefix.length());
                }
                throw new PoolUnsafeShutdownException(
                        path,
                        reason + ". It holds more than caches (" + held + "), so it is not opened by itself",
                        cut.hasRoot(),
                        cut.mapNames());
            }
            LOG.warn("pmem pool " + path + " was cut by an unsafe shutdown (OS crash or power loss in process"
                    + " durability, or its device lost writes); it holds only caches, so it is opened anyway:"
                    + " each cache keeps the entries"
                    + " that verify and drops the rest (see the 'pmem' health and the cache logs)");
            try {
                return PmemPoolStartup.opened(PmemPool.open(path, options.withAcceptUnsafeShutdown(true)));
            } catch (PoolInUseException e) {
                throw e;
            } catch (PmemException unusable) {
                return startCold(path, options, unusable);
            }
        }
    }

    /**
     * A pool of caches only that a machine crash left too damaged to open: it is moved aside (kept
     * for a look, never deleted) and a new, empty pool takes its place, so the service starts cold
     * rather than not at all.
     */
    private static PmemPoolStartup startCold(Path path, PoolOptions options, PmemException unusable) {
        Path aside = path.resolveSibling(path.getFileName() + ".damaged-" + System.currentTimeMillis());
        try {
            Files.move(path, aside);
        } catch (IOException e) {
            unusable.addSuppressed(e);
            throw unusable;
        }
        LOG.warn("pmem pool " + path + " held only caches but could not be opened after the machine crash ("
                + unusable.getMessage() + "); it was moved to " + aside + " and the caches start cold");
        return new PmemPoolStartup(PmemPool.create(path, options), aside, unusable.getMessage(), null);
    }

    /** Checks the values the core would refuse, naming the property; before anything touches the disk. */
    static void validate(PmemProperties.Pool props) {
        String layout = props.getLayout();
        if (layout == null || layout.isBlank()) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.pool.layout", layout, "a pool needs a layout name (the default is 'spring')");
        }
        if (layout.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.pool.layout", layout, "a layout name has at most 63 UTF-8 bytes");
        }
        long size = size(props);
        if (size < MIN_SIZE) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.pool.size", props.getSize(), "a pool is at least 8MB");
        }
        if (maxSize(props) < size) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.pool.max-size",
                    props.getMaxSize(),
                    "the maximum size must be at least pmem.pool.size (" + size + " bytes); equal to it for a pool"
                            + " that never grows");
        }
        if (props.getGrowthStep() != null && props.getGrowthStep().isNegative()) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.pool.growth-step", props.getGrowthStep(), "the growth step must not be negative");
        }
        if (props.getLockTimeout() != null && props.getLockTimeout().isNegative()) {
            throw new InvalidConfigurationPropertyValueException(
                    "pmem.pool.lock-timeout", props.getLockTimeout(), "the lock timeout must not be negative");
        }
    }

    private static long size(PmemProperties.Pool props) {
        return props.getSize() == null
                ? PoolOptions.DEFAULT_SIZE
                : props.getSize().toBytes();
    }

    /** {@code pmem.pool.max-size}, or four times the size: room to grow without a second guess. */
    private static long maxSize(PmemProperties.Pool props) {
        return props.getMaxSize() == null ? 4 * size(props) : props.getMaxSize().toBytes();
    }

    static PoolOptions options(PmemProperties.Pool props, Path path) {
        validate(props);
        String layout = props.getLayout();
        long size = size(props);
        Durability durability = props.getDurability() != null ? props.getDurability() : defaultDurability(path);
        PoolOptions options = PoolOptions.layout(layout)
                .withSize(size)
                .withMaxSize(maxSize(props))
                .withGrowthStep(
                        props.getGrowthStep() == null
                                ? 0
                                : props.getGrowthStep().toBytes())
                .withDurability(durability)
                .withAcceptUnsafeShutdown(props.isAcceptUnsafeShutdown());
        if (props.getLockTimeout() != null) {
            options = options.withLockTimeout(props.getLockTimeout());
        }
        return options;
    }

    /**
     * SYNC where the pool's folder can be mapped with MAP_SYNC (DAX: a flush is a CPU cache
     * write-back, cheap and power-fail safe), PROCESS elsewhere (msync on every persist point
     * would make a page-cache pool slow; PROCESS still survives the process being killed).
     */
    static Durability defaultDurability(Path path) {
        return supportsMapSync(path.toAbsolutePath().getParent()) ? Durability.SYNC : Durability.PROCESS;
    }

    /** Whether a file in {@code dir} can be mapped with MAP_SYNC: maps a small scratch file and removes it. */
    static boolean supportsMapSync(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return false;
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, ".pmem-map-sync-probe", ".tmp");
            try (RandomAccessFile file = new RandomAccessFile(probe.toFile(), "rw");
                    Arena arena = Arena.ofConfined()) {
                file.setLength(4096);
                file.getChannel().map(jdk.nio.mapmode.ExtendedMapMode.READ_WRITE_SYNC, 0, 4096, arena);
                return true;
            }
        } catch (IOException | UnsupportedOperationException | IllegalStateException e) {
            return false;
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover scratch file of 4 KiB is harmless
                }
            }
        }
    }

    private static void createParents(Path path) {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new PmemException(
                        path,
                        "cannot create the pool's folder " + parent + ": " + e
                                + "; create it, make it writable, or choose another pmem.pool.path",
                        e);
            }
        }
    }
}
