import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Warm restart, measured from outside the process: fill the demo's {@code products} cache with N
 * items, stop the service (cleanly or with kill -9), start it again, and time how long it takes
 * until every one of the N items has been served once, and how many back-end calls that took.
 * The same service runs once on the pmem cache and once on Caffeine (Spring Boot's
 * {@code spring.cache.type=caffeine}, caffeine added with {@code loader.path}).
 *
 * <p>Run through {@code run-warm-restart-bench.sh}, which builds the jar and fetches Caffeine:
 * {@code java WarmRestartBench.java JAR CAFFEINE_JAR WORKDIR SIZES LATENCY_MS CLIENTS}.
 */
public class WarmRestartBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static String java;
    static Path jar;
    static Path caffeine;
    static Path work;
    static int latencyMs;
    static int clients;

    public static void main(String[] args) throws Exception {
        jar = Path.of(args[0]);
        caffeine = Path.of(args[1]);
        work = Path.of(args[2]);
        List<Integer> sizes = new ArrayList<>();
        for (String s : args[3].split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        latencyMs = Integer.parseInt(args[4]);
        clients = Integer.parseInt(args[5]);
        java = ProcessHandle.current().info().command().orElseThrow();
        Files.createDirectories(work);

        System.out.printf("back-end latency %d ms, %d concurrent HTTP clients, %d cores%n%n", latencyMs, clients,
                Runtime.getRuntime().availableProcessors());
        System.out.println("| cache | entries | stop | process start to ready (s) | pool open + recovery (ms) |"
                + " ready to whole set served (s) | start to whole set served (s) | back-end calls after restart |");
        System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        for (int n : sizes) {
            for (String cache : List.of("pmem", "caffeine")) {
                for (boolean kill : List.of(false, true)) {
                    run(cache, n, kill);
                }
            }
        }
    }

    static void run(String cache, int n, boolean kill) throws Exception {
        Path pool = work.resolve("bench.pool");
        Files.deleteIfExists(pool);
        Path log = work.resolve(cache + "-" + n + (kill ? "-kill" : "-stop") + ".log");
        Files.deleteIfExists(log);
        int port = 18500 + (int) (ProcessHandle.current().pid() % 400);

        Process first = start(cache, pool, port, log);
        ready(port, first);
        scan(port, n);
        if (kill) {
            first.destroyForcibly();
        } else {
            first.destroy();
        }
        first.waitFor(60, TimeUnit.SECONDS);

        long t0 = System.nanoTime();
        Process second = start(cache, pool, port, log);
        ready(port, second);
        long tReady = System.nanoTime();
        scan(port, n);
        long tDone = System.nanoTime();
        String backend = get(port, "/backend");
        String openMs = "—";
        if (cache.equals("pmem")) {
            Matcher m = Pattern.compile("\"timeMillis\":([0-9.]+)").matcher(get(port, "/actuator/pmem"));
            openMs = m.find() ? String.format("%.0f", Double.parseDouble(m.group(1))) : "?";
        }
        Matcher calls = Pattern.compile("\"productLookups\":(\\d+)").matcher(backend);
        second.destroy();
        second.waitFor(60, TimeUnit.SECONDS);
        System.out.printf("| %s | %,d | %s | %.1f | %s | %.1f | %.1f | %s |%n", cache, n, kill ? "kill -9" : "clean",
                (tReady - t0) / 1e9, openMs, (tDone - tReady) / 1e9, (tDone - t0) / 1e9,
                calls.find() ? String.format("%,d", Long.parseLong(calls.group(1))) : "?");
    }

    static Process start(String cache, Path pool, int port, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx1g"));
        if (cache.equals("caffeine")) {
            cmd.addAll(List.of("-Dloader.path=" + caffeine, "-cp", jar.toString(),
                    "org.springframework.boot.loader.launch.PropertiesLauncher",
                    "--spring.cache.type=caffeine", "--spring.cache.cache-names=products,quotes",
                    "--spring.cache.caffeine.spec=maximumSize=2000000,expireAfterWrite=10m"));
        } else {
            cmd.addAll(List.of("-jar", jar.toString(), "--pmem.cache.caches.products.maximum-entries=2000000"));
        }
        cmd.addAll(List.of("--server.port=" + port, "--pmem.pool.path=" + pool, "--pmem.pool.size=1GB",
                "--demo.backend.latency=" + latencyMs + "ms", "--spring.main.banner-mode=off",
                "--logging.level.root=WARN", "--server.tomcat.threads.max=" + Math.max(200, clients)));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static void ready(int port, Process p) throws Exception {
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("service exited with " + p.exitValue());
            }
            try {
                if (HTTP.send(request(port, "/backend"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(20);
        }
    }

    /** GETs /products/item-0 .. item-(n-1) once each, from {@code clients} threads. */
    static void scan(int port, int n) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    try {
                        HttpResponse<Void> r = HTTP.send(request(port, "/products/item-" + i),
                                HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("status " + r.statusCode());
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
        return HTTP.send(request(port, path), HttpResponse.BodyHandlers.ofString()).body();
    }

    static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .build();
    }
}
