package dev.pmemspring.jcache.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hibernate ORM's second-level cache and query cache on the pmem JCache provider, in a Boot
 * application run as a child JVM ({@link CatalogueApp}): entities and query results are served
 * from the pool after a clean restart and after {@code kill -9}, with zero SQL statements.
 */
class HibernateSecondLevelCacheTest {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // the children's output stays for a look after a failure
    Path dir;

    @Test
    void entitiesComeFromThePoolAfterARestartAndAfterKill9WithNoSql() throws Exception {
        run("seed", dir.resolve("seed.out"), false);

        Map<String, Long> clean = results(run("read", dir.resolve("read-1.out"), false));
        assertThat(clean.get("STATEMENTS"))
                .as("SQL statements after a clean restart")
                .isZero();
        assertThat(clean.get("L2HITS")).isGreaterThanOrEqualTo(CatalogueApp.PRODUCTS);
        assertThat(clean.get("QUERYHITS")).isEqualTo(1);
        assertThat(clean.get("ROWS")).isEqualTo(CatalogueApp.PRODUCTS);

        // changes one price, caches the query again, and is killed
        run("update", dir.resolve("update.out"), true);

        Map<String, Long> killed = results(run("read", dir.resolve("read-2.out"), false));
        assertThat(killed.get("STATEMENTS")).as("SQL statements after kill -9").isZero();
        assertThat(killed.get("PRICE7"))
                .as("the change the killed process made, from the pool")
                .isEqualTo(777_77);
        assertThat(killed.get("L2HITS")).isGreaterThanOrEqualTo(CatalogueApp.PRODUCTS);
        assertThat(killed.get("QUERYHITS")).isEqualTo(1);
    }

    /** Runs the app in {@code mode}; with {@code kill}, kills it with SIGKILL once it printed READY. */
    private Path run(String mode, Path out, boolean kill) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                        // Hibernate's cache entries, keys and the entity, as the serializer may read them
                        "-Dpmem.jcache.allowed-classes=org.hibernate.cache.**,dev.pmemspring.jcache.hibernate.**",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CatalogueApp.class.getName(),
                        mode,
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(out)
                && Files.readString(out, StandardCharsets.UTF_8).contains("READY"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError(mode + " did not get ready:\n" + Files.readString(out));
            }
            Thread.sleep(20);
        }
        if (kill) {
            p.destroyForcibly();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static Map<String, Long> results(Path out) throws Exception {
        Map<String, Long> r = new HashMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ");
            if (parts.length == 2 && parts[0].matches("[A-Z0-9]+") && parts[1].matches("-?\\d+")) {
                r.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return r;
    }
}
