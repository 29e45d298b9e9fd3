package dev.pmemspring.cache;

import dev.pmemspring.cache.internal.CacheCatalogue;
import dev.pmemspring.cache.internal.StoredSettings;
import dev.pmemspring.core.PmemMap;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolUnsafeShutdownException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.cache.CacheManager;
import org.springframework.util.ClassUtils;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A Spring {@link CacheManager} whose caches live in a pool: a restarted service finds them warm.
 *
 * <pre>{@code
 * PmemPool pool = PmemPool.openOrCreate(Path.of("/var/lib/quotes/cache.pool"),
 *         PoolOptions.layout("quotes").withSize(1L << 30).withDurability(Durability.PROCESS));
 * PmemCacheManager caches = PmemCacheManager.builder(pool)
 *         .defaults(PmemCacheSettings.defaults().withTimeToLive(Duration.ofMinutes(10)))
 *         .cache("quotes", PmemCacheSettings.defaults().withMaximumEntries(100_000).withHeapTier(10_000))
 *         .build();
 * }</pre>
 *
 * <p>Caches are fixed by name ({@link Builder#cache}, {@link Builder#cacheNames}) or, when no names
 * are given or {@link Builder#dynamic(boolean)} says so, created on demand with the default
 * settings. The pool records each cache and its settings: on restart a dynamic manager lists the
 * caches it held before, and changed settings take effect (see {@link PmemCacheSettings}). A pool
 * holds 64 maps: the manager's catalogue and up to 63 caches (fewer if the application keeps maps
 * of its own).
 *
 * <p>With several instances of a service, each with its own pool, a {@link CacheCoherence} (for
 * example {@code RedisCacheCoherence} from {@code pmem-cache-redis}) carries each instance's
 * writes to the others: {@link Builder#coherence}.
 *
 * <p>The manager does not own the pool: close the pool when done with both.
 */
public final class PmemCacheManager implements CacheManager, BeanClassLoaderAware {

    private static final Log LOG = LogFactory.getLog(PmemCacheManager.class);

    private final PmemPool pool;
    private final PmemCacheSettings defaults;
    private final Map<String, PmemCacheSettings> fixed;
    private final boolean dynamic;
    private final AfterUnsafeShutdown afterUnsafeShutdown;
    private final CacheCoherence coherence;
    private final CacheCatalogue catalogue;
    private final ConcurrentHashMap<String, PmemCache> caches = new ConcurrentHashMap<>();
    private final Map<String, String> mapOwners = new ConcurrentHashMap<>();
    private final List<Consumer<PmemCache>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, SalvageReport.Counts> salvaged = new ConcurrentHashMap<>();
    private volatile ClassLoader classLoader;

    private PmemCacheManager(Builder b) {
        this.pool = b.pool;
        this.defaults = b.defaults;
        this.fixed = Collections.unmodifiableMap(new LinkedHashMap<>(b.fixed));
        this.dynamic = b.dynamic != null ? b.dynamic : b.fixed.isEmpty();
        this.afterUnsafeShutdown = b.afterUnsafeShutdown;
        this.coherence = b.coherence;
        this.classLoader = b.classLoader != null ? b.classLoader : defaultClassLoader();
        this.catalogue = new CacheCatalogue(pool);
        CacheCatalogue.emptyAfterStop(pool, LOG::warn);
        fixed.forEach((name, settings) -> caches.put(name, open(name, settings)));
        if (dynamic) {
            for (String name : catalogue.names()) {
                caches.computeIfAbsent(name, n -> open(n, defaults));
            }
        }
        salvage()
                .ifPresent(s -> LOG.warn("pool " + pool.path() + " was cut by an unsafe shutdown (a machine"
                        + " crash in process durability, or its device lost writes); its "
                        + s.caches().size()
                        + " caches kept " + s.entriesKept()
                        + " entries and dropped " + s.entriesDropped()
                        + (afterUnsafeShutdown == AfterUnsafeShutdown.START_COLD
                                ? " (after-unsafe-shutdown: start-cold)"
                                : " that did not verify (after-unsafe-shutdown: salvage)")
                        + "; dropped entries are loaded again on their next miss"));
        coherence.start(new Caches());
    }

    /**
     * Whether the pool a machine crash cut holds nothing but caches: no root block, and only the
     * maps cache managers keep (their catalogue, one map per cache, and the records of their
     * coherence, whose names begin with {@code pmem-coherence}). Such a pool can be salvaged
     * without asking, as nothing in it is the application's own data: an entry that does not
     * verify is a miss, and is loaded again. False when the map names could not be read.
     */
    public static boolean holdsOnlyCaches(PoolUnsafeShutdownException cut) {
        List<String> maps = cut.mapNames();
        return !cut.hasRoot()
                && maps != null
                && maps.stream().allMatch(name -> CacheCatalogue.isCacheMap(name) || name.startsWith("pmem-coherence"));
    }

    /** A builder for a manager over {@code pool}. */
    public static Builder builder(PmemPool pool) {
        return new Builder(pool);
    }

    @Override
    public @Nullable PmemCache getCache(String name) {
        PmemCache cache = caches.get(name);
        if (cache != null || !dynamic) {
            return cache;
        }
        boolean[] created = new boolean[1];
        cache = caches.computeIfAbsent(name, n -> {
            created[0] = true;
            return open(n, defaults);
        });
        if (created[0]) {
            for (Consumer<PmemCache> listener : listeners) { // outside the map's lock
                listener.accept(cache);
            }
        }
        return cache;
    }

    /**
     * Calls {@code listener} with each cache this manager creates on demand from now on (for
     * example, to bind its meters); the caches open already are in {@link #caches()}.
     */
    public void addCacheListener(Consumer<PmemCache> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeCacheListener(Consumer<PmemCache> listener) {
        listeners.remove(listener);
    }

    @Override
    public Collection<String> getCacheNames() {
        return Collections.unmodifiableSet(caches.keySet());
    }

    /** The caches open now. */
    public Collection<PmemCache> caches() {
        return Collections.unmodifiableCollection(caches.values());
    }

    /** Empties every cache; caches and their settings stay. */
    @Override
    public void resetCaches() {
        caches.values().forEach(PmemCache::invalidate);
    }

    /**
     * Removes cache {@code name} from this manager and from the pool, with its entries and recorded
     * settings. A fixed cache cannot be dropped.
     */
    public void dropCache(String name) {
        if (fixed.containsKey(name)) {
            throw new IllegalArgumentException("cache '" + name + "' is fixed by this manager's configuration;"
                    + " remove it from the configuration first");
        }
        caches.remove(name);
        String mapName = CacheCatalogue.mapName(name);
        mapOwners.remove(mapName);
        pool.dropMap(mapName);
        catalogue.remove(name);
    }

    public PmemPool pool() {
        return pool;
    }

    /**
     * What this manager kept and dropped of its caches because the pool was cut by a machine crash;
     * empty when the pool was shut down cleanly or only the process was killed (nothing is torn then).
     */
    public Optional<SalvageReport> salvage() {
        if (!pool.lastRecovery().unsafeShutdown()) {
            return Optional.empty();
        }
        return Optional.of(new SalvageReport(afterUnsafeShutdown, salvaged));
    }

    /** The settings of caches created on demand. */
    public PmemCacheSettings defaults() {
        return defaults;
    }

    public boolean isDynamic() {
        return dynamic;
    }

    /** What keeps these caches coherent with other instances' ({@link CacheCoherence#NONE} by default). */
    public CacheCoherence coherence() {
        return coherence;
    }

    /** Loads stored classes through the application's class loader (set by Spring). */
    @Override
    public void setBeanClassLoader(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    }

    private PmemCache open(String name, PmemCacheSettings settings) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a cache name must not be empty");
        }
        String mapName = CacheCatalogue.mapName(name);
        String owner = mapOwners.putIfAbsent(mapName, name);
        if (owner != null && !owner.equals(name)) {
            throw new IllegalStateException("caches '" + owner + "' and '" + name + "' would share pool map '" + mapName
                    + "'; shorten one of the names");
        }
        PmemMap map;
        try {
            map = pool.map(mapName);
        } catch (IllegalStateException | dev.pmemspring.core.PmemException e) {
            mapOwners.remove(mapName, name);
            if (e instanceof dev.pmemspring.core.PoolStoppedException stopped) {
                throw stopped; // says itself what to do
            }
            throw new IllegalStateException(
                    "cannot open cache '" + name + "' in pool " + pool.path() + ": " + e.getMessage(), e);
        }
        StoredSettings now = StoredSettings.of(settings);
        StoredSettings before = catalogue.find(name);
        if (before != null && !before.serializer().equals(now.serializer()) && map.size() > 0) {
            LOG.info("cache '" + name + "': its " + map.size() + " entries were written by the " + before.serializer()
                    + " serializer, which is no longer configured (" + now.serializer() + "); it starts empty");
            map.clear();
        } else if (before != null && !before.equals(now)) {
            LOG.info("cache '" + name + "': settings changed since it was last opened: " + now.changesFrom(before));
        }
        if (!now.equals(before)) {
            catalogue.record(name, now);
        }
        // after a machine crash, every cache map that was there is reported, also one whose record
        // in the catalogue did not verify (a torn page can take both kinds of entries)
        if (pool.lastRecovery().unsafeShutdown()
                && (before != null || map.size() > 0 || map.stats().salvageDropped() > 0)) {
            long dropped = map.stats().salvageDropped();
            if (afterUnsafeShutdown == AfterUnsafeShutdown.START_COLD) {
                dropped += map.size();
                map.clear();
            }
            salvaged.put(name, new SalvageReport.Counts(map.size(), dropped));
            if (dropped > 0) {
                LOG.warn("cache '" + name + "': " + dropped + " entries dropped after the machine crash, " + map.size()
                        + " kept");
            }
        }
        PmemCache cache =
                new PmemCache(name, map, settings, () -> classLoader, this::makeRoom, pool::isStopped, coherence);
        if (settings.maximumEntries() > 0 || settings.maximumBytes() > 0) {
            map.evict(
                    settings.maximumEntries() > 0 ? settings.maximumEntries() : Long.MAX_VALUE,
                    settings.maximumBytes() > 0 ? settings.maximumBytes() : Long.MAX_VALUE);
        }
        return cache;
    }

    /** Frees pool space by evicting a share of the largest cache; false if every cache is empty. */
    private boolean makeRoom() {
        List<PmemCache> bySize = new ArrayList<>(caches.values());
        bySize.sort((a, b) -> Long.compare(
                b.getNativeCache().stats().bytes(), a.getNativeCache().stats().bytes()));
        for (PmemCache cache : bySize) {
            if (cache.evictShare() > 0) {
                return true;
            }
        }
        return false;
    }

    /** This manager's caches, open or only in the pool, as the coherence changes them. */
    private final class Caches implements CoherentCaches {

        @Override
        public PmemPool pool() {
            return pool;
        }

        @Override
        public void invalidate(String cache, byte[] key) {
            PmemCache open = caches.get(cache);
            if (open != null) {
                open.invalidateStored(key);
                return;
            }
            PmemMap stored = storedMap(cache);
            if (stored != null) {
                stored.remove(key);
            }
        }

        @Override
        public void clear(String cache) {
            PmemCache open = caches.get(cache);
            if (open != null) {
                open.clearStored();
                return;
            }
            PmemMap stored = storedMap(cache);
            if (stored != null) {
                stored.clear();
            }
        }

        @Override
        public List<String> clearAll() {
            Set<String> names = new TreeSet<>(catalogue.names());
            names.addAll(caches.keySet());
            List<String> held = new ArrayList<>();
            for (String name : names) {
                PmemCache open = caches.get(name);
                PmemMap stored = open == null ? storedMap(name) : null;
                if (open != null ? open.estimatedSize() > 0 : stored != null && stored.size() > 0) {
                    held.add(name);
                }
                clear(name); // empty or not: a heap tier or a racing load may hold what the size missed
            }
            return List.copyOf(held);
        }

        /** The pool map of a cache this process has not opened, if the pool holds one. */
        private @Nullable PmemMap storedMap(String cache) {
            String mapName = CacheCatalogue.mapName(cache);
            return pool.mapNames().contains(mapName) ? pool.map(mapName) : null;
        }
    }

    private static ClassLoader defaultClassLoader() {
        ClassLoader loader = ClassUtils.getDefaultClassLoader();
        return loader != null ? loader : PmemCacheManager.class.getClassLoader();
    }

    @Override
    public String toString() {
        return "PmemCacheManager[" + pool.path() + ", caches=" + caches.keySet() + "]";
    }

    /** Builds a {@link PmemCacheManager}; see there for an example. */
    public static final class Builder {
        private final PmemPool pool;
        private PmemCacheSettings defaults = PmemCacheSettings.defaults();
        private final Map<String, PmemCacheSettings> fixed = new LinkedHashMap<>();
        private @Nullable Boolean dynamic;
        private @Nullable ClassLoader classLoader;
        private AfterUnsafeShutdown afterUnsafeShutdown = AfterUnsafeShutdown.SALVAGE;
        private CacheCoherence coherence = CacheCoherence.NONE;

        private Builder(PmemPool pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
        }

        /** The settings of caches created on demand and of those named by {@link #cacheNames}. */
        public Builder defaults(PmemCacheSettings defaults) {
            this.defaults = Objects.requireNonNull(defaults, "defaults");
            return this;
        }

        /** A fixed cache with its own settings. */
        public Builder cache(String name, PmemCacheSettings settings) {
            fixed.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(settings, "settings"));
            return this;
        }

        /** Fixed caches with the default settings (as they are when {@link #build} runs). */
        public Builder cacheNames(Collection<String> names) {
            for (String name : names) {
                fixed.putIfAbsent(name, null);
            }
            return this;
        }

        /** Whether unknown names create caches; by default only when no cache is fixed. */
        public Builder dynamic(boolean dynamic) {
            this.dynamic = dynamic;
            return this;
        }

        /** The class loader stored values are read with; by default Spring's bean class loader. */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /** What to do with the caches of a pool cut by a machine crash; {@link AfterUnsafeShutdown#SALVAGE} by default. */
        public Builder afterUnsafeShutdown(AfterUnsafeShutdown action) {
            this.afterUnsafeShutdown = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * What carries this instance's writes to the other instances of the service and theirs to
         * it; {@link CacheCoherence#NONE} by default. {@link #build} starts it, which may wait a
         * bounded time to catch up with what changed while this instance was away.
         */
        public Builder coherence(CacheCoherence coherence) {
            this.coherence = Objects.requireNonNull(coherence, "coherence");
            return this;
        }

        public PmemCacheManager build() {
            fixed.replaceAll((name, settings) -> settings != null ? settings : defaults);
            return new PmemCacheManager(this);
        }
    }
}
