package dev.pmemspring.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Damaged pool files are refused with a {@code PmemException} or stay usable; nothing else gets out
 * (see {@link ImageExercise}). Each try damages the images of {@link PoolImages} one way
 * ({@link ImageDamage}) and exercises the result. The number of images is jqwik's default tries,
 * set in {@code junit-platform.properties}; more with {@code -Djqwik.tries.default=10000}. The
 * counts per outcome are printed as jqwik statistics.
 */
class PoolImageFuzzTest {

    private static Path dir;
    private static PoolImages images;
    private static ExecutorService runner;
    private static int count;

    @BeforeContainer
    static void buildImages() throws IOException {
        dir = Files.createTempDirectory("pmem-fuzz");
        images = PoolImages.build(dir);
        runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pmem-fuzz");
            t.setDaemon(true); // a hung exercise must not keep the test JVM alive
            return t;
        });
    }

    @AfterContainer
    static void removeImages() throws IOException {
        runner.shutdownNow();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    @Property
    void aDamagedFileIsRefusedOrUsableAndNeverReturnsWrongData(@ForAll("damage") ImageDamage damage) throws Exception {
        Path file = dir.resolve("image-" + count++ + ".pool");
        Files.write(file, damage.apply(images));
        Future<ImageExercise.Outcome> outcome = runner.submit(() -> new ImageExercise(images).run(file));
        ImageExercise.Outcome result;
        try {
            result = outcome.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(damage + ": the exercise hung for 60 s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Error error ? error : new AssertionError(e.getCause());
        } finally {
            Files.deleteIfExists(file);
        }
        Statistics.label("outcome").collect(result);
        Statistics.label("damage").collect(damage.getClass().getSimpleName(), result);
        assertThat(result).isNotNull();
    }

    @Provide
    Arbitrary<ImageDamage> damage() {
        Arbitrary<Long> seeds = Arbitraries.longs();
        return Arbitraries.oneOf(
                seeds.flatMap(s -> Arbitraries.integers().between(1, 64).map(n -> new ImageDamage.BitFlips(s, n))),
                seeds.map(ImageDamage.WordSet::new),
                seeds.flatMap(s ->
                        Arbitraries.of(ImageDamage.PageDamage.Kind.class).map(k -> new ImageDamage.PageDamage(s, k))),
                seeds.map(ImageDamage.Truncated::new),
                seeds.map(ImageDamage.TornWrite::new));
    }
}
