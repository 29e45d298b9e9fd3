import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Warm restart, measured from outside the process: fill the demo's {@code products} cache with N
 * items over HTTP, stop the service (with kill -9, then cleanly), start it again, and time how long
 * it takes until every one of the N items has been served once, and how many back-end calls that
 * took. The same service jar runs on
 * <ul>
 * <li>{@code pmem}: the starter's pool-backed cache, as configured in {@code application.yml};
 * <li>{@code caffeine}: {@code spring.cache.type=caffeine} (cold after any restart);
 * <li>{@code ehcache}: {@code spring.cache.type=jcache}, Ehcache 3 with a persistent disk tier for
 * {@code products}, configured by an Ehcache XML file this driver writes;
 * <li>{@code redis}: {@code spring.cache.type=redis} against a redis-server this driver starts with
 * an append-only file; "restart" restarts redis-server too (and kill -9 kills it too).
 * </ul>
 * Every service run goes through Boot's PropertiesLauncher with {@code loader.path} holding the
 * peer's jars and a start-up probe ({@code bench/probe}) that prints how long Spring spent creating
 * the cache's beans, so the framework's start-up and the cache's own part can be told apart.
 *
 * <p>Run through {@code run-warm-restart-bench.sh}, which builds the jar, the probe and fetches the
 * peers: {@code java WarmRestartBench.java JAR WORKDIR SIZES CLIENTS CACHES}, SIZES like
 * {@code 1000@20,100000@20,1000000@5} (entries @ back-end latency in ms; 20 ms when left out),
 * CACHES like {@code pmem,caffeine,ehcache,redis}. Appends one line per restart to
 * {@code WORKDIR/results.csv}.
 */
public class WarmRestartBench {

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final List<Process> STARTED = new CopyOnWriteArrayList<>();
    static final String TTL = "2h"; // longer than any run, so nothing expires during a 1M run
    static String java;
    static Path jar;
    static Path work;
    static int clients;
    static Path csv;

    record Size(int entries, int latencyMs) {}

    /** What one restart measured. */
    record Result(
            double serverLoadMs,
            double startToReadyMs,
            double cacheBeansMs,
            double poolOpenMs,
            double readyToDoneMs,
            long backendCalls,
            double load1) {}

    public static void main(String[] args) throws Exception {
        jar = Path.of(args[0]).toAbsolutePath();
        work = Path.of(args[1]).toAbsolutePath();
        List<Size> sizes = new ArrayList<>();
        for (String s : args[2].split(",")) {
            String[] p = s.trim().split("@");
            sizes.add(new Size(Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 20));
        }
        clients = Integer.parseInt(args[3]);
        List<String> caches = List.of(args[4].split(","));
        java = ProcessHandle.current().info().command().orElseThrow();
        Files.createDirectories(work);
        csv = work.resolve("results.csv");
        if (!Files.exists(csv)) {
            Files.writeString(
                    csv,
                    "time,cache,entries,latency_ms,clients,stop,load1,server_load_ms,"
                            + "start_to_ready_ms,cache_beans_ms,pool_open_ms,ready_to_done_ms,backend_calls\n");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));

        System.out.printf(
                "%d concurrent HTTP clients, %d cores, JDK %s%n%n",
                clients, Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.println("| cache | entries | back end | stop | load avg | framework start-up (s) |"
                + " cache's own part (ms) | ready to whole set served (s) | start to whole set served (s) |"
                + " back-end calls after restart |");
        System.out.println("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Size size : sizes) {
            for (String cache : caches) {
                series(cache, size);
            }
        }
    }

    /** The service and, for Redis, its server, as they run. */
    record Running(Process server, Process service) {
        void stop(boolean kill) throws InterruptedException {
            WarmRestartBench.stop(service, kill); // the service first: it still talks to the server
            WarmRestartBench.stop(server, kill);
        }
    }

    /**
     * Fill the cache over HTTP; kill -9 the service (and redis-server), restart and measure; stop
     * both cleanly, restart and measure again. The second measurement starts from the cache the
     * first restart left (full in every case: what was lost was reloaded by its scan).
     */
    static void series(String cache, Size size) throws Exception {
        String tag = cache + "-" + size.entries();
        Path state = work.resolve("state-" + cache);
        deleteTree(state);
        Files.createDirectories(state);
        int port = freePort();
        Integer redisPort = cache.equals("redis") ? freePort() : null;

        Process server = redisPort != null ? startRedis(state, redisPort, tag + "-fill") : null;
        if (server != null) {
            redisReady(redisPort, server);
        }
        Process service = startService(cache, size, state, port, redisPort, tag + "-fill");
        ready(port, service);
        scan(port, size.entries());
        Running running = new Running(server, service);

        running.stop(true);
        running = measure(cache, size, state, port, redisPort, tag + "-after-kill", "kill -9");
        running.stop(false);
        running = measure(cache, size, state, port, redisPort, tag + "-after-stop", "clean");
        running.stop(false);
    }

    static Running measure(String cache, Size size, Path state, int port, Integer redisPort, String tag, String stop)
            throws Exception {
        double load1 = load1();
        long t0 = System.nanoTime();
        Process server = null;
        double serverLoadMs = Double.NaN;
        if (redisPort != null) {
            server = startRedis(state, redisPort, tag);
            redisReady(redisPort, server);
            serverLoadMs = (System.nanoTime() - t0) / 1e6;
        }
        long tService = System.nanoTime();
        Path log = work.resolve(tag + ".log");
        Process service = startService(cache, size, state, port, redisPort, tag);
        ready(port, service);
        long tReady = System.nanoTime();
        scan(port, size.entries());
        long tDone = System.nanoTime();
        Matcher calls = Pattern.compile("\"productLookups\":(\\d+)").matcher(get(port, "/backend"));
        long backendCalls = calls.find() ? Long.parseLong(calls.group(1)) : -1;
        double poolOpenMs = Double.NaN;
        if (cache.equals("pmem")) {
            Matcher m = Pattern.compile("\"timeMillis\":([0-9.]+)").matcher(get(port, "/actuator/pmem"));
            poolOpenMs = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        }
        double cacheBeansMs = probe(log);
        report(
                cache,
                size,
                stop,
                new Result(
                        serverLoadMs,
                        (tReady - tService) / 1e6,
                        cacheBeansMs,
                        poolOpenMs,
                        (tDone - tReady) / 1e6,
                        backendCalls,
                        load1));
        return new Running(server, service);
    }

    static void report(String cache, Size size, String stop, Result r) throws IOException {
        double own = r.cacheBeansMs() + (Double.isNaN(r.serverLoadMs()) ? 0 : r.serverLoadMs());
        double framework = r.startToReadyMs() - r.cacheBeansMs();
        double total = (Double.isNaN(r.serverLoadMs()) ? 0 : r.serverLoadMs()) + r.startToReadyMs() + r.readyToDoneMs();
        String ownText = String.format(Locale.ROOT, "%.0f", own);
        if (!Double.isNaN(r.poolOpenMs())) {
            ownText += String.format(Locale.ROOT, " (pool open %.0f)", r.poolOpenMs());
        }
        if (!Double.isNaN(r.serverLoadMs())) {
            ownText += String.format(Locale.ROOT, " (server %.0f)", r.serverLoadMs());
        }
        System.out.printf(
                Locale.ROOT,
                "| %s | %,d | %d ms | %s | %.1f | %.1f | %s | %.1f | %.1f | %,d |%n",
                cache,
                size.entries(),
                size.latencyMs(),
                stop,
                r.load1(),
                framework / 1e3,
                ownText,
                r.readyToDoneMs() / 1e3,
                total / 1e3,
                r.backendCalls());
        Files.writeString(
                csv,
                String.format(
                        Locale.ROOT,
                        "%s,%s,%d,%d,%d,%s,%.2f,%.1f,%.1f,%.1f,%.1f,%.1f,%d%n",
                        Instant.now(),
                        cache,
                        size.entries(),
                        size.latencyMs(),
                        clients,
                        stop.equals("clean") ? "clean" : "kill",
                        r.load1(),
                        r.serverLoadMs(),
                        r.startToReadyMs(),
                        r.cacheBeansMs(),
                        r.poolOpenMs(),
                        r.readyToDoneMs(),
                        r.backendCalls()),
                StandardOpenOption.APPEND);
    }

    static Process startService(String cache, Size size, Path state, int port, Integer redisPort, String tag)
            throws IOException {
        String loaderPath = work.resolve("probe.jar").toString();
        if (!cache.equals("pmem")) {
            loaderPath += "," + work.resolve("jars").resolve(cache);
        }
        String cacheBeans = switch (cache) {
            case "pmem" -> "pmemPool,cacheManager";
            case "ehcache" -> "jCacheCacheManager,cacheManager";
            case "redis" ->
                "redisConnectionFactory,redisConnectionFactoryVirtualThreads,lettuceClientResources," + "cacheManager";
            default -> "cacheManager";
        };
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "-Xmx1g",
                "-Dloader.path=" + loaderPath,
                "-Dbench.cacheBeans=" + cacheBeans,
                "-cp",
                jar.toString(),
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
        switch (cache) {
            case "pmem" ->
                cmd.addAll(List.of(
                        "--pmem.cache.caches.products.maximum-entries=2000000",
                        "--pmem.cache.caches.products.time-to-live=" + TTL));
            case "caffeine" ->
                cmd.addAll(List.of(
                        "--spring.cache.type=caffeine",
                        "--spring.cache.cache-names=products,quotes",
                        "--spring.cache.caffeine.spec=maximumSize=2000000,expireAfterWrite=" + TTL));
            case "ehcache" ->
                cmd.addAll(List.of(
                        "--spring.cache.type=jcache",
                        "--spring.cache.jcache.config=" + ehcacheConfig(state).toUri()));
            case "redis" ->
                cmd.addAll(List.of(
                        "--spring.cache.type=redis",
                        "--spring.data.redis.host=127.0.0.1",
                        "--spring.data.redis.port=" + redisPort,
                        "--spring.cache.redis.time-to-live=" + TTL));
            default -> throw new IllegalArgumentException("unknown cache " + cache);
        }
        // the pool is opened in every run (the ledger lives there), so all pay the same start-up
        cmd.addAll(List.of(
                "--server.port=" + port,
                "--pmem.pool.path=" + state.resolve("bench.pool"),
                "--pmem.pool.size=2GB",
                "--demo.backend.latency=" + size.latencyMs() + "ms",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--server.tomcat.threads.max=" + Math.max(200, clients)));
        return started(new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        work.resolve(tag + ".log").toFile()))
                .start());
    }

    /** Ehcache 3: products on heap (1,000 entries, as the pmem heap tier) over a persistent disk tier. */
    static Path ehcacheConfig(Path state) throws IOException {
        Path xml = state.resolve("ehcache.xml");
        Files.writeString(xml, """
                <config xmlns="http://www.ehcache.org/v3">
                  <persistence directory="%s"/>
                  <cache alias="products">
                    <expiry><ttl unit="hours">2</ttl></expiry>
                    <resources>
                      <heap unit="entries">1000</heap>
                      <disk unit="GB" persistent="true">4</disk>
                    </resources>
                  </cache>
                  <cache alias="quotes">
                    <expiry><ttl unit="seconds">30</ttl></expiry>
                    <resources>
                      <heap unit="entries">10000</heap>
                    </resources>
                  </cache>
                </config>
                """.formatted(state.resolve("ehcache-data")));
        return xml;
    }

    /**
     * redis-server with an append-only file, fsync once a second (an acknowledged write survives
     * kill -9 of redis-server up to the last second), rewrites with an RDB preamble (the default),
     * no separate RDB snapshots.
     */
    static Process startRedis(Path state, int port, String tag) throws IOException {
        Path dir = state.resolve("redis");
        Files.createDirectories(dir);
        return started(new ProcessBuilder(
                        "redis-server",
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dir.toString(),
                        "--save",
                        "",
                        "--appendonly",
                        "yes",
                        "--appendfsync",
                        "everysec",
                        "--daemonize",
                        "no",
                        "--logfile",
                        "")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        work.resolve(tag + "-redis.log").toFile()))
                .start());
    }

    static Process started(Process p) {
        STARTED.add(p);
        return p;
    }

    static void stop(Process p, boolean kill) throws InterruptedException {
        if (p == null) {
            return;
        }
        if (kill) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        STARTED.remove(p);
    }

    /** Waits until redis-server answers PING with PONG (not LOADING: the data set is in memory). */
    static void redisReady(int port, Process p) throws Exception {
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
                if ("+PONG".equals(line)) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(5);
        }
    }

    static void ready(int port, Process p) throws Exception {
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("service exited with " + p.exitValue());
            }
            try {
                if (HTTP.send(request(port, "/backend"), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(20);
        }
    }

    /** The probe's line: how long Spring spent creating the cache's beans (their union). */
    static double probe(Path log) throws Exception {
        for (int i = 0; i < 100; i++) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith("BENCH-CACHE-BEANS ")) {
                    return Double.parseDouble(line.split(" ")[1]);
                }
            }
            Thread.sleep(50);
        }
        return Double.NaN;
    }

    /** GETs /products/item-0 .. item-(n-1) once each, from {@code clients} threads. */
    static void scan(int port, int n) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    try {
                        HttpResponse<Void> r =
                                HTTP.send(request(port, "/products/item-" + i), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("status " + r.statusCode() + " for item-" + i);
                        }
                    } catch (Exception e) {
                        errors.add(e);
                        return;
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("scan failed: " + errors.getFirst(), errors.getFirst());
        }
    }

    static String get(int port, String path) throws Exception {
        return HTTP.send(request(port, path), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static double load1() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
