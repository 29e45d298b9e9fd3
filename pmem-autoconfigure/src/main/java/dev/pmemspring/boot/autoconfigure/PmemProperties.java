package dev.pmemspring.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pmemspring.cache.AfterUnsafeShutdown;
import dev.pmemspring.cache.PmemCacheSettings;
import dev.pmemspring.core.Durability;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the pmem pool, its cache and its health check, under {@code pmem.*}.
 *
 * <p>Every property is listed, with its default, in {@code docs/spring-boot.md}. Longer than most
 * files here because Boot binds plain getters and setters: the length is accessors, one nested
 * class per group of properties.
 */
@ConfigurationProperties("pmem")
public class PmemProperties {

    /** Whether to open a pool at all; false switches off every pmem auto-configuration. */
    private boolean enabled = true;

    private final Pool pool = new Pool();

    private final Cache cache = new Cache();

    private final Health health = new Health();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Pool getPool() {
        return pool;
    }

    public Cache getCache() {
        return cache;
    }

    public Health getHealth() {
        return health;
    }

    /** The pool file and how it is opened. */
    public static class Pool {

        /** Pool file. Required: there is no default location. */
        private Path path;

        /** Size of the pool file when it is created (at least 8MB); an existing pool keeps its size. */
        private DataSize size = DataSize.ofMegabytes(64);

        /**
         * Size the pool may grow to, online, when its space runs out; fixed when the pool is created
         * (an existing pool keeps its own). Unset: four times 'size'. Equal to 'size': a pool that
         * never grows. The chunk table takes 32KB per GB of it, and the mapping reserves it as
         * address space only.
         */
        private DataSize maxSize;

        /** Bytes each growth adds. Unset: a quarter of the pool's size, at least 64MB. */
        private DataSize growthStep;

        /** Layout name the pool is created with and checked against on open (at most 63 UTF-8 bytes). */
        private String layout = "spring";

        /**
         * What a completed write survives. Unset: 'sync' where the file can be mapped with MAP_SYNC
         * (a DAX file system), 'process' elsewhere.
         */
        private Durability durability;

        /** Whether to create the pool file, and its parent folders, when no file exists. */
        private boolean createIfMissing = true;

        /**
         * Whether to open a pool that a machine crash cut while it was open in 'process' durability;
         * the caches then keep only the entries that verify (or start cold).
         */
        private boolean acceptUnsafeShutdown = false;

        /** How long a transaction waits for a range or block another transaction holds before it aborts. */
        private Duration lockTimeout = Duration.ofSeconds(2);

        /**
         * Whether the pool is a temporary one: a new file in a new temporary folder, deleted when
         * the context closes (path is then not used). For tests: each cached test context gets a
         * pool of its own. With spring.cache.type=none, no temporary pool is opened at all.
         */
        private boolean temporary = false;

        public Path getPath() {
            return path;
        }

        public void setPath(Path path) {
            this.path = path;
        }

        public DataSize getSize() {
            return size;
        }

        public void setSize(DataSize size) {
            this.size = size;
        }

        public DataSize getMaxSize() {
            return maxSize;
        }

        public void setMaxSize(DataSize maxSize) {
            this.maxSize = maxSize;
        }

        public DataSize getGrowthStep() {
            return growthStep;
        }

        public void setGrowthStep(DataSize growthStep) {
            this.growthStep = growthStep;
        }

        public String getLayout() {
            return layout;
        }

        public void setLayout(String layout) {
            this.layout = layout;
        }

        public Durability getDurability() {
            return durability;
        }

        public void setDurability(Durability durability) {
            this.durability = durability;
        }

        public boolean isCreateIfMissing() {
            return createIfMissing;
        }

        public void setCreateIfMissing(boolean createIfMissing) {
            this.createIfMissing = createIfMissing;
        }

        public boolean isAcceptUnsafeShutdown() {
            return acceptUnsafeShutdown;
        }

        public void setAcceptUnsafeShutdown(boolean acceptUnsafeShutdown) {
            this.acceptUnsafeShutdown = acceptUnsafeShutdown;
        }

        public Duration getLockTimeout() {
            return lockTimeout;
        }

        public void setLockTimeout(Duration lockTimeout) {
            this.lockTimeout = lockTimeout;
        }

        public boolean isTemporary() {
            return temporary;
        }

        public void setTemporary(boolean temporary) {
            this.temporary = temporary;
        }
    }

    /** How a value is turned into bytes in the pool. */
    public enum Serializer {
        /** Apache Fory's binary format behind an allow-list, the default: several times faster than jdk. */
        FORY,
        /** JDK serialization behind an allow-list filter. */
        JDK,
        /** JSON through Jackson 3 (needs tools.jackson.core:jackson-databind), behind the same allow-list. */
        JSON
    }

    /**
     * Settings of one cache. At the top level ({@code pmem.cache.*}) they apply to every cache; under
     * {@code pmem.cache.caches.<name>.*} they override those for one cache. An unset value falls back:
     * a cache's to the top level, the top level's to {@link PmemCacheSettings#defaults()}, the one
     * place that owns the defaults.
     */
    public static class CacheSettings {

        /** Entry expiration. By default the entries never expire. */
        private Duration timeToLive;

        /**
         * Expiration after the last read or write of an entry (and at its time-to-live in any case),
         * kept across restarts. By default the entries never expire.
         */
        private Duration timeToIdle;

        /**
         * Window before an entry's expiration in which a read through @Cacheable(sync = true)
         * reloads it in the background and returns the cached value at once. By default, no reload.
         */
        private Duration refreshAhead;

        /** Maximum number of entries a cache keeps before it evicts. By default, no bound. */
        private Long maximumEntries;

        /** Maximum bytes (keys, values and entry headers) a cache keeps before it evicts. By default, no bound. */
        private DataSize maximumBytes;

        /** Largest serialized value that is cached; larger ones are not stored, and are counted. */
        private DataSize maximumValueSize;

        /** Whether to allow caching null values. */
        private Boolean allowNullValues;

        /**
         * Entries of deserialized values kept on the heap in front of the pool; 0 means none. Set
         * this or heap-tier-bytes.
         */
        private Integer heapTierEntries;

        /**
         * Size of the values kept on the heap in front of the pool, counted in their stored
         * (serialized) form; 0 means none. Set this or heap-tier-entries.
         */
        private DataSize heapTierBytes;

        /** How values are serialized into the pool. */
        private Serializer serializer;

        /**
         * Classes that may be deserialized, as ObjectInputFilter patterns ('com.example.Quote',
         * 'com.example.*', 'com.example.**'), besides java.lang, java.util, java.time, java.math and
         * the application's auto-configuration packages. Set for one cache, replaces the top-level list.
         */
        private List<String> allowedClasses;

        public Duration getTimeToLive() {
            return timeToLive;
        }

        public void setTimeToLive(Duration timeToLive) {
            this.timeToLive = timeToLive;
        }

        public Duration getTimeToIdle() {
            return timeToIdle;
        }

        public void setTimeToIdle(Duration timeToIdle) {
            this.timeToIdle = timeToIdle;
        }

        public Duration getRefreshAhead() {
            return refreshAhead;
        }

        public void setRefreshAhead(Duration refreshAhead) {
            this.refreshAhead = refreshAhead;
        }

        public Long getMaximumEntries() {
            return maximumEntries;
        }

        public void setMaximumEntries(Long maximumEntries) {
            this.maximumEntries = maximumEntries;
        }

        public DataSize getMaximumBytes() {
            return maximumBytes;
        }

        public void setMaximumBytes(DataSize maximumBytes) {
            this.maximumBytes = maximumBytes;
        }

        public DataSize getMaximumValueSize() {
            return maximumValueSize;
        }

        public void setMaximumValueSize(DataSize maximumValueSize) {
            this.maximumValueSize = maximumValueSize;
        }

        public Boolean getAllowNullValues() {
            return allowNullValues;
        }

        public void setAllowNullValues(Boolean allowNullValues) {
            this.allowNullValues = allowNullValues;
        }

        public Integer getHeapTierEntries() {
            return heapTierEntries;
        }

        public void setHeapTierEntries(Integer heapTierEntries) {
            this.heapTierEntries = heapTierEntries;
        }

        public DataSize getHeapTierBytes() {
            return heapTierBytes;
        }

        public void setHeapTierBytes(DataSize heapTierBytes) {
            this.heapTierBytes = heapTierBytes;
        }

        public Serializer getSerializer() {
            return serializer;
        }

        public void setSerializer(Serializer serializer) {
            this.serializer = serializer;
        }

        public List<String> getAllowedClasses() {
            return allowedClasses;
        }

        public void setAllowedClasses(List<String> allowedClasses) {
            this.allowedClasses = allowedClasses;
        }
    }

    /** The cache manager: settings of every cache (inherited), static cache names and per-cache settings. */
    public static class Cache extends CacheSettings {

        /** Whether to allow the application's auto-configuration packages (and their subpackages) by default. */
        private boolean allowApplicationPackages = true;

        /** What the caches keep after a machine crash cut a pool open in 'process' durability. */
        private AfterUnsafeShutdown afterUnsafeShutdown = AfterUnsafeShutdown.SALVAGE;

        /** Caches created at start-up. When set, other names get no cache unless 'dynamic' is true. */
        private List<String> cacheNames = new ArrayList<>();

        /** Whether caches are created on first use. Unset: true unless 'cache-names' is set. */
        private Boolean dynamic;

        /** Per-cache settings, by cache name; an unset value falls back to the default above. */
        private Map<String, CacheSettings> caches = new LinkedHashMap<>();

        /** Keeping the caches of several instances coherent. */
        private final Coherence coherence = new Coherence();

        public Coherence getCoherence() {
            return coherence;
        }

        public boolean isAllowApplicationPackages() {
            return allowApplicationPackages;
        }

        public void setAllowApplicationPackages(boolean allowApplicationPackages) {
            this.allowApplicationPackages = allowApplicationPackages;
        }

        public AfterUnsafeShutdown getAfterUnsafeShutdown() {
            return afterUnsafeShutdown;
        }

        public void setAfterUnsafeShutdown(AfterUnsafeShutdown afterUnsafeShutdown) {
            this.afterUnsafeShutdown = afterUnsafeShutdown;
        }

        public List<String> getCacheNames() {
            return cacheNames;
        }

        public void setCacheNames(List<String> cacheNames) {
            this.cacheNames = cacheNames;
        }

        public Boolean getDynamic() {
            return dynamic;
        }

        public void setDynamic(Boolean dynamic) {
            this.dynamic = dynamic;
        }

        public Map<String, CacheSettings> getCaches() {
            return caches;
        }

        public void setCaches(Map<String, CacheSettings> caches) {
            this.caches = caches;
        }
    }

    /** How the caches of several instances of a service stay coherent. */
    public enum CoherenceMode {
        /** Each instance's caches are its own: writes elsewhere are not seen. */
        NONE,
        /** Writes are published on a Redis stream and dropped from the other instances' caches. */
        REDIS
    }

    /** Cache coherence across instances: what one instance writes, the others drop. */
    public static class Coherence {

        /**
         * Whether and how writes reach the other instances. 'redis' needs pmem-cache-redis and a
         * Redis connection (spring-boot-starter-data-redis, spring.data.redis.*).
         */
        private CoherenceMode mode = CoherenceMode.NONE;

        /** The Redis stream key shared by the instances. Unset: 'pmem:coherence:' followed by the pool's layout. */
        private String stream;

        /** About how many entries the stream keeps; an instance away for longer than that clears its caches on return. */
        private long maxLength = 1_000_000;

        /** Most changed keys waiting to be sent while Redis is away; past it, changes clear their cache on the peers. */
        private int outboxCapacity = 100_000;

        /** How long start-up waits to apply what other instances changed while this one was down. */
        private Duration catchUpTimeout = Duration.ofSeconds(5);

        public CoherenceMode getMode() {
            return mode;
        }

        public void setMode(CoherenceMode mode) {
            this.mode = mode;
        }

        public String getStream() {
            return stream;
        }

        public void setStream(String stream) {
            this.stream = stream;
        }

        public long getMaxLength() {
            return maxLength;
        }

        public void setMaxLength(long maxLength) {
            this.maxLength = maxLength;
        }

        public int getOutboxCapacity() {
            return outboxCapacity;
        }

        public void setOutboxCapacity(int outboxCapacity) {
            this.outboxCapacity = outboxCapacity;
        }

        public Duration getCatchUpTimeout() {
            return catchUpTimeout;
        }

        public void setCatchUpTimeout(Duration catchUpTimeout) {
            this.catchUpTimeout = catchUpTimeout;
        }
    }

    /** The pool's health indicator. */
    public static class Health {

        /**
         * Ratio of free pool space (0 to 1) below which the health reports low space (the
         * 'low-free-space-status' and a 'warning' detail); 0 switches the warning off.
         */
        private double freeSpaceWarningThreshold = 0.1;

        /**
         * Health status when free pool space is below the threshold: UP (the pool still serves,
         * full caches evict), or DOWN / OUT_OF_SERVICE as Spring Boot's disk space indicator does.
         */
        private String lowFreeSpaceStatus = "UP";

        public String getLowFreeSpaceStatus() {
            return lowFreeSpaceStatus;
        }

        public void setLowFreeSpaceStatus(String lowFreeSpaceStatus) {
            this.lowFreeSpaceStatus = lowFreeSpaceStatus;
        }

        public double getFreeSpaceWarningThreshold() {
            return freeSpaceWarningThreshold;
        }

        public void setFreeSpaceWarningThreshold(double freeSpaceWarningThreshold) {
            this.freeSpaceWarningThreshold = freeSpaceWarningThreshold;
        }
    }
}
