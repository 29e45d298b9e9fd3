package dev.pmemspring.bench;

import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.codec.SerializationCodec;
import org.redisson.config.Config;
import org.springframework.cache.Cache;

import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A rolling restart of a service's instances, ours against Redisson's {@link RLocalCachedMap}
 * (the near cache most Redis users reach for). Not JMH: what it measures is a count, the back-end
 * loads a restart costs, and each system makes the same calls in the same order.
 *
 * <p>The scenario, for each system: {@code instances} instances (separate pools and Redis
 * connections, in this JVM) read all {@code entries} keys through read-through caching, so every
 * instance holds every entry. Then each instance in turn is stopped; while it is down another
 * instance changes {@code changedPercent} % of the keys (the back end changes, the writer evicts the
 * key, as a {@code @CacheEvict} on an update does); the instance starts again and serves traffic:
 * <ol>
 *   <li><em>recovery</em>: reads of Zipfian-chosen keys (skew 0.99, as in the cache benchmark)
 *       until the local hit rate over the last 1,000 reads is back at 95 % (at most 20 reads per
 *       entry): how many reads that took and how many of them loaded from the back end;</li>
 *   <li><em>full pass</em>: then every key once, in a random order: the back-end loads and the
 *       reads not served locally (for Redisson a read of Redis's copy costs a round trip though no
 *       back-end load) that a complete recovery costs.</li>
 * </ol>
 * Every value read is checked against the back end: stale values must be 0 for all. Before the
 * next instance restarts, the others read every key once more (not counted), so each restart
 * starts from a group that holds everything.
 *
 * <ul>
 *   <li>{@code pmem}: {@link CoherentInstance}, a heap tier of 1 % of the entries, coherence over
 *       a Redis Stream; a restart catches up and keeps every unchanged entry in the pool.</li>
 *   <li>{@code redisson}: {@code RLocalCachedMap} in its default store mode {@code LOCALCACHE_REDIS}
 *       (a Redis hash holds every entry, each instance a local copy, unbounded), invalidation on
 *       change, {@code ReconnectionStrategy.LOAD}, JDK serialization ({@code SerializationCodec}) as
 *       ours uses; read-through by hand ({@code get}, on null load and {@code fastPut}), changes by
 *       {@code fastRemove}. A restart starts with an empty local copy.</li>
 *   <li>{@code redisson-local}: the same in store mode {@code LOCALCACHE} (Redis carries only the
 *       invalidations, as ours does), where a restart starts with nothing at all.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar pmem-bench/target/benchmarks.jar run coherence} (the suite starts a private
 * redis-server), or {@code PMEM_BENCH_REDIS=host:port java -cp benchmarks.jar
 * dev.pmemspring.bench.RollingRestartBenchmark [RESULTS.json]} with {@code -Dentries=100000
 * -DchangedPercent=1 -Dinstances=3 -Dsystems=pmem,redisson,redisson-local}. It prints a markdown
 * table, and with {@code RESULTS.json} also writes the restarts there as JSON (for the suite's report).
 *
 * <p>Longer than the other benchmarks because it is a program, not a JMH benchmark: it starts and
 * stops the instances of three systems itself and measures each restart from outside.
 */
public final class RollingRestartBenchmark {

    private static final int WINDOW = 1000;
    private static final double TARGET_HIT_RATE = 0.95;

    /** The back end: a current version per key, and its loads. */
    static final class BackEnd {
        final ConcurrentHashMap<String, Integer> versions = new ConcurrentHashMap<>();
        final LongAdder loads = new LongAdder();

        Product load(String key) {
            loads.increment();
            return value(key, versions.getOrDefault(key, 0));
        }

        void change(String key) {
            versions.merge(key, 1, Integer::sum);
        }

        boolean current(String key, Product value) {
            return value.equals(value(key, versions.getOrDefault(key, 0)));
        }

        static Product value(String key, int version) {
            return Product.sample(Integer.parseInt(key.substring(key.indexOf(':') + 1)), version);
        }
    }

    /** One instance of the service, as the scenario drives it. */
    interface Node extends AutoCloseable {
        /** A read through the cache: the value, loading from the back end on a miss. */
        Product read(String key, BackEnd backEnd);

        /** Whether {@code key} would be served without leaving this process. */
        boolean heldLocally(String key);

        /** What a writer does after changing the back end. */
        void evict(String key);

        void stop();

        void start();

        /** Waits until what this instance changed has reached the others. */
        void awaitSent();

        @Override
        void close();
    }

    /** What one restart cost. */
    record Restart(
            String system,
            int instance,
            long recoveryReads,
            long recoveryRemoteReads,
            long recoveryLoads,
            long passLoads,
            long passRemoteReads,
            long staleValues,
            long millis) {}

    public static void main(String[] args) throws Exception {
        int entries = Integer.getInteger("entries", 100_000);
        int changedPercent = Integer.getInteger("changedPercent", 1);
        int instances = Integer.getInteger("instances", 3);
        List<String> systems = Arrays.asList(
                System.getProperty("systems", "pmem,redisson,redisson-local").split(","));
        String redis =
                CacheStore.redisAddress("RollingRestartBenchmark", "the coherence suite starts one and sets it)");

        List<Restart> results = new ArrayList<>();
        for (String system : systems) {
            results.addAll(run(system.trim(), redis, entries, changedPercent, instances));
        }
        if (args.length > 0) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("instances", instances);
            json.put("entries", entries);
            json.put("changedPercent", changedPercent);
            json.put("restarts", results);
            JsonMapper.builder()
                    .build()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(Path.of(args[0]).toFile(), json);
        }
        System.out.println();
        System.out.printf(
                "rolling restart of %d instances, %,d entries, %d %% of the keys changed while each was down%n",
                instances, entries, changedPercent);
        System.out.println();
        System.out.println("| system | restarted | reads until 95 % local hits | of them not served locally"
                + " | back-end loads until then | full pass: back-end loads | full pass: reads not served locally"
                + " | stale values | time (ms) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Restart r : results) {
            System.out.printf(
                    "| %s | %d | %s | %,d | %,d | %,d | %,d | %d | %,d |%n",
                    r.system(),
                    r.instance(),
                    r.recoveryReads() < 0
                            ? "not within " + String.format("%,d", 20L * entries)
                            : String.format("%,d", r.recoveryReads()),
                    r.recoveryRemoteReads(),
                    r.recoveryLoads(),
                    r.passLoads(),
                    r.passRemoteReads(),
                    r.staleValues(),
                    r.millis());
        }
        long stale = results.stream().mapToLong(Restart::staleValues).sum();
        if (stale > 0) {
            System.out.println("STALE VALUES SERVED: " + stale);
            System.exit(1);
        }
    }

    static List<Restart> run(String system, String redis, int entries, int changedPercent, int instances) {
        String group = "pmem:bench:rolling:" + UUID.randomUUID();
        BackEnd backEnd = new BackEnd();
        String[] keys = CacheBenchmark.keys("product:", entries);
        List<Node> nodes = new ArrayList<>();
        List<Restart> out = new ArrayList<>();
        try {
            for (int i = 0; i < instances; i++) {
                nodes.add(open(system, redis, group, entries));
            }
            System.out.println(system + ": warming " + instances + " instances with " + entries + " entries");
            for (Node node : nodes) {
                for (String key : keys) {
                    node.read(key, backEnd);
                }
            }
            SplittableRandom random = new SplittableRandom(7);
            int changes = entries * changedPercent / 100;
            for (int i = 0; i < instances; i++) {
                Node restarted = nodes.get(i);
                Node writer = nodes.get((i + 1) % instances);
                restarted.stop();
                for (String key : distinct(keys, changes, random)) {
                    backEnd.change(key);
                    writer.evict(key);
                }
                writer.awaitSent();
                restarted.start();
                out.add(serve(system, i, restarted, keys, backEnd, random));
                System.out.println(system + ": " + out.getLast());
                for (Node other : nodes) {
                    if (other != restarted) {
                        for (String key : keys) {
                            other.read(key, backEnd);
                        }
                    }
                }
            }
        } finally {
            for (Node node : nodes) {
                node.close();
            }
        }
        return out;
    }

    /** The restarted instance's traffic: Zipfian reads until 95 % local hits, then every key once. */
    private static Restart serve(
            String system, int instance, Node node, String[] keys, BackEnd backEnd, SplittableRandom random) {
        long started = System.nanoTime();
        long[] stale = {0};
        // recovery: Zipfian reads until the last WINDOW reads were local hits at the target rate
        int[] zipf = MapWorkload.zipfianSequence(keys.length, 0x5eed + instance);
        long loadsBefore = backEnd.loads.sum();
        boolean[] window = new boolean[WINDOW];
        int localInWindow = 0;
        long recoveryReads = -1;
        long recoveryRemote = 0;
        long limit = 20L * keys.length;
        for (long n = 0; n < limit; n++) {
            String key = keys[zipf[(int) (n & MapWorkload.SEQUENCE_MASK)]];
            boolean local = read(node, key, backEnd, stale);
            if (!local) {
                recoveryRemote++;
            }
            int slot = (int) (n % WINDOW);
            if (n >= WINDOW && window[slot]) {
                localInWindow--;
            }
            window[slot] = local;
            if (local) {
                localInWindow++;
            }
            if (n + 1 >= WINDOW && localInWindow >= TARGET_HIT_RATE * WINDOW) {
                recoveryReads = n + 1;
                break;
            }
        }
        long recoveryLoads = backEnd.loads.sum() - loadsBefore;

        // full pass: every key once, in a random order
        String[] order = keys.clone();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        long passBefore = backEnd.loads.sum();
        long remote = 0;
        for (String key : order) {
            if (!read(node, key, backEnd, stale)) {
                remote++;
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return new Restart(
                system,
                instance,
                recoveryReads,
                recoveryRemote,
                recoveryLoads,
                backEnd.loads.sum() - passBefore,
                remote,
                stale[0],
                millis);
    }

    /** One read, checked against the back end; whether it was served locally. */
    private static boolean read(Node node, String key, BackEnd backEnd, long[] stale) {
        boolean local = node.heldLocally(key);
        if (!backEnd.current(key, node.read(key, backEnd))) {
            stale[0]++;
        }
        return local;
    }

    private static List<String> distinct(String[] keys, int count, SplittableRandom random) {
        String[] shuffled = keys.clone();
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(shuffled.length - i);
            String t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        return Arrays.asList(shuffled).subList(0, count);
    }

    static Node open(String system, String redis, String group, int entries) {
        return switch (system) {
            case "pmem" -> new PmemNode(redis, group, entries);
            case "redisson" -> new RedissonNode(redis, group, LocalCachedMapOptions.StoreMode.LOCALCACHE_REDIS);
            case "redisson-local" -> new RedissonNode(redis, group, LocalCachedMapOptions.StoreMode.LOCALCACHE);
            default ->
                throw new IllegalArgumentException("unknown system " + system + " (pmem, redisson, redisson-local)");
        };
    }

    /** Ours: a pool, a cache manager with a heap tier of 1 % of the entries, coherence over a stream. */
    static final class PmemNode implements Node {
        private final CoherentInstance instance;

        PmemNode(String redis, String stream, int entries) {
            instance = new CoherentInstance(entries, Math.max(1, entries / 100), redis, stream);
        }

        @Override
        public Product read(String key, BackEnd backEnd) {
            return Objects.requireNonNull(instance.cache().get(key, () -> backEnd.load(key)));
        }

        @Override
        public boolean heldLocally(String key) {
            Cache.ValueWrapper held = instance.cache().get(key);
            return held != null;
        }

        @Override
        public void evict(String key) {
            instance.cache().evict(key);
        }

        @Override
        public void stop() {
            instance.stop();
        }

        @Override
        public void start() {
            instance.start();
        }

        @Override
        public void awaitSent() {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (Objects.requireNonNull(instance.coherence()).status().pending() > 0) {
                CacheBenchmark.check(System.nanoTime() < deadline, "changes unsent after a minute");
                sleep(5);
            }
        }

        @Override
        public void close() {
            instance.close();
        }
    }

    /** Redisson's near cache over one Redis, on a client of its own (a process of its own would have one). */
    static final class RedissonNode implements Node {
        private final String redis;
        private final String name;
        private final LocalCachedMapOptions.StoreMode mode;
        private RedissonClient client;
        private RLocalCachedMap<String, Product> map;

        RedissonNode(String redis, String name, LocalCachedMapOptions.StoreMode mode) {
            this.redis = redis;
            this.name = name;
            this.mode = mode;
            start();
        }

        @Override
        public void start() {
            Config config = new Config();
            config.useSingleServer().setAddress("redis://" + redis);
            client = Redisson.create(config);
            map = client.getLocalCachedMap(LocalCachedMapOptions.<String, Product>name(name)
                    .codec(new SerializationCodec(RollingRestartBenchmark.class.getClassLoader()))
                    .storeMode(mode)
                    .syncStrategy(LocalCachedMapOptions.SyncStrategy.INVALIDATE)
                    .reconnectionStrategy(LocalCachedMapOptions.ReconnectionStrategy.LOAD)
                    .evictionPolicy(LocalCachedMapOptions.EvictionPolicy.NONE)
                    .cacheSize(0));
        }

        @Override
        public Product read(String key, BackEnd backEnd) {
            Product value = map.get(key);
            if (value == null) {
                value = backEnd.load(key);
                map.fastPut(key, value);
            }
            return value;
        }

        @Override
        public boolean heldLocally(String key) {
            return map.getCachedMap().containsKey(key);
        }

        @Override
        public void evict(String key) {
            map.fastRemove(key);
        }

        @Override
        public void awaitSent() {
            // fastRemove returns once Redis applied it and published the invalidation: give the
            // peers' listeners the moment they need to drop their copies
            sleep(200);
        }

        @Override
        public void stop() {
            client.shutdown();
            client = null;
            map = null;
        }

        @Override
        public void close() {
            if (client != null) {
                if (mode == LocalCachedMapOptions.StoreMode.LOCALCACHE_REDIS) {
                    map.delete();
                }
                stop();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
