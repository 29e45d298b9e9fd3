package dev.pmemspring.core.crashsim;

import dev.pmemspring.core.CheckReport;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolUnsafeShutdownException;
import dev.pmemspring.core.RecoveryReport;
import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.memory.MemoryDecorator;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The crash simulator: records what a pool operation does to persistent memory, builds the images
 * a power loss could leave at each crash point ({@link PersistenceModel}), opens each one with the
 * normal {@link PmemPool#open} (real recovery), and checks the scenario's invariants on it.
 *
 * <pre>{@code
 * CrashSimulator.scenario("allocateInto")
 *         .setup(pool -> pool.root(64).handle())                      // not recorded
 *         .operation((pool, root, steps) -> pool.allocateInto(root, 64, b -> b.putLong(0, 7)))  // root's field 0
 *         .observe((pool, root) -> pool.block(root).getLong(0))       // must be the before or after value
 *         .reachable((pool, root) -> List.of(pool.block(root).getLong(0)))
 *         .explore(Exploration.exhaustive(4))
 *         .run(tempDir);
 * }</pre>
 *
 * <p>Every image must open (a {@link PmemException} fails the run unless {@link #allow allowed}),
 * its observed state must be one the operation may leave at that point (the state before or after
 * the atomic step the crash cut; see {@link Steps}), its allocator must be consistent
 * ({@link HeapInvariants}, over the scenario's {@link #reachable reachable} blocks),
 * {@link PmemPool#check()} must find nothing, and every extra {@link #check} must pass. The first image that fails throws a
 * {@link CrashConsistencyError} naming the seed, the crash point and the stores kept and lost.
 *
 * <p>The seed is {@code -Dpmem.crashsim.seed} if set, else the scenario's {@link #seed}, else
 * random; {@code -Dpmem.crashsim.point=K} checks crash point {@code K} alone (with the same images
 * as in the full run); {@code -Dpmem.crashsim.samples=N} explores longer ({@link Exploration}).
 *
 * @param <T> what the setup hands to the operation and the checks (handles, usually)
 */
public final class CrashSimulator<T> {

    /** Prepares the pool before recording starts; returns what the operation and checks need. */
    @FunctionalInterface
    public interface Setup<T> {
        T prepare(PmemPool pool);
    }

    /** The recorded operation. */
    @FunctionalInterface
    public interface Operation<T> {
        void run(PmemPool pool, T context, Steps steps);
    }

    /** Reads the state the scenario cares about (compared with {@code equals}); must only read. */
    @FunctionalInterface
    public interface Observer<T> {
        Object observe(PmemPool pool, T context);
    }

    /** The blocks the program reaches (besides the root and undo-log extensions). */
    @FunctionalInterface
    public interface Reach<T> {
        Collection<Long> reachable(PmemPool pool, T context);
    }

    /** An extra invariant on a recovered image; throws (an AssertionError) when it does not hold. */
    @FunctionalInterface
    public interface Check<T> {
        void check(Recovered<T> recovered);
    }

    /**
     * Marks the end of an atomic step inside a multi-step operation: the state observed now is
     * durable, so a crash after this point may leave it or the next step's state, never an
     * earlier one.
     */
    @FunctionalInterface
    public interface Steps {
        void done();
    }

    /**
     * A recovered crash image under check.
     *
     * @param raw the pool's memory, for reading persistent structures directly
     * @param point the crash point
     * @param step how many steps of the operation had completed at the crash point
     * @param recovery what the open had to recover
     * @param sizeAtOpen the pool's size right after the open (the checks' probe allocations may grow it)
     */
    public record Recovered<T>(
            PmemPool pool,
            PersistentMemory raw,
            PoolLayout layout,
            T context,
            int point,
            int step,
            RecoveryReport recovery,
            long sizeAtOpen) {}

    /** A recorded operation, with the state observed before it, after each step and at its end. */
    public record Recorded<T>(Recording recording, List<Mark> marks, T context) {}

    /** The state observed after {@code events} events. */
    public record Mark(int events, Object state) {}

    /**
     * What a run checked.
     *
     * @param images crash images opened and checked
     * @param duplicates images skipped because an identical one was checked already
     * @param allowedFailures images whose open failed with an allowed exception
     * @param redoReplays images whose recovery replayed a redo log
     * @param rollbacks images whose recovery rolled a transaction back
     */
    public record Report(
            String scenario,
            long seed,
            int events,
            int points,
            int images,
            int duplicates,
            int allowedFailures,
            int redoReplays,
            int rollbacks,
            long millis) {
        @Override
        public String toString() {
            return "crashsim '" + scenario + "': " + events + " events, " + points + " crash points, " + images
                    + " images checked (" + duplicates + " duplicates skipped, " + allowedFailures
                    + " allowed open failures, " + redoReplays + " redo replays, " + rollbacks + " rollbacks) in "
                    + millis + " ms, seed " + seed;
        }
    }

    private static final String LAYOUT = "crashsim";
    private static final AtomicInteger FILES = new AtomicInteger();

    private final String name;
    private long poolSize = PoolLayout.MIN_POOL_SIZE;
    private long maxSize;
    private long growthStep;
    private Setup<T> setup = pool -> null;
    private Operation<T> operation;
    private Observer<T> observer;
    private Reach<T> reach = (pool, context) -> List.of();
    private boolean leakCheck = true;
    private final List<Check<T>> checks = new ArrayList<>();
    private final Set<Class<? extends PmemException>> allowed = new LinkedHashSet<>();
    private UnaryOperator<PersistentMemory> fault;
    private Exploration exploration = Exploration.exhaustive(3);
    private Long seed;
    private byte[] fromImage;
    private boolean inOrder;

    private CrashSimulator(String name) {
        this.name = name;
    }

    public static CrashSimulator<Void> scenario(String name) {
        return new CrashSimulator<>(name);
    }

    /** The scenario's name, and the model it is checked under when that is not the default. */
    private String scenarioName() {
        return inOrder ? name + ", stores persisting in order" : name;
    }

    // ---------------------------------------------------------------- configuration

    /** Pool size (default 8 MiB, the minimum: every crash image is a whole pool file). */
    public CrashSimulator<T> poolSize(long bytes) {
        this.poolSize = bytes;
        return this;
    }

    /** A pool that grows up to {@code bytes}, by {@code step} bytes at a time (see {@code PoolOptions}). */
    public CrashSimulator<T> growsTo(long bytes, long step) {
        this.maxSize = bytes;
        this.growthStep = step;
        return this;
    }

    /** Prepares the pool, unrecorded; what it returns is handed to the operation and checks. */
    @SuppressWarnings("unchecked")
    public <U> CrashSimulator<U> setup(Setup<U> prepare) {
        CrashSimulator<U> self = (CrashSimulator<U>) this;
        self.setup = Objects.requireNonNull(prepare);
        return self;
    }

    public CrashSimulator<T> operation(Operation<T> operation) {
        this.operation = operation;
        return this;
    }

    /** The state that must be the before or after state of the step a crash cut. */
    public CrashSimulator<T> observe(Observer<T> observer) {
        this.observer = observer;
        return this;
    }

    public CrashSimulator<T> reachable(Reach<T> reach) {
        this.reach = reach;
        this.leakCheck = true;
        return this;
    }

    /**
     * For structures whose blocks the scenario cannot enumerate (a map's tables and entries): skips
     * the reachable-block checks of {@link HeapInvariants}; {@link PmemPool#check()} and the undo-log
     * chains are still checked. Put {@code pool.stats().objects()} into the observed state to catch leaks.
     */
    public CrashSimulator<T> unknownReachable() {
        this.leakCheck = false;
        return this;
    }

    public CrashSimulator<T> check(Check<T> check) {
        checks.add(check);
        return this;
    }

    /**
     * Lets the open of a crash image fail with {@code type}. A {@link PoolUnsafeShutdownException}
     * allowed this way is still followed by an open with {@code acceptUnsafeShutdown} and every check.
     */
    public CrashSimulator<T> allow(Class<? extends PmemException> type) {
        allowed.add(type);
        return this;
    }

    /** Wraps the recorder in a decorator of the pool's memory: to inject faults into the recorded run. */
    public CrashSimulator<T> fault(UnaryOperator<PersistentMemory> fault) {
        this.fault = fault;
        return this;
    }

    /**
     * With {@code true}, simulates a process's end in durability {@code process} instead of a power
     * loss: stores persist in order up to the last fence, those after it in any subset (see
     * {@link RecordingMemory#inOrder}), and the pool writes its logs for that. False by default.
     */
    public CrashSimulator<T> storesPersistInOrder(boolean inOrder) {
        this.inOrder = inOrder;
        return this;
    }

    public CrashSimulator<T> explore(Exploration exploration) {
        this.exploration = exploration;
        return this;
    }

    /** The seed to use unless {@code -Dpmem.crashsim.seed} is set (default: a random one). */
    public CrashSimulator<T> seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Records the recovery of {@code image} (a whole pool file) instead of an operation: the open,
     * its redo replay, rollback and shutdown mark are what crash points cut. Every crash image must
     * then recover to the state the uninterrupted recovery reached.
     */
    public <U> CrashSimulator<U> recoveryOf(byte[] image, U context) {
        CrashSimulator<U> self = setup(pool -> context);
        self.fromImage = image.clone();
        return self;
    }

    // ---------------------------------------------------------------- running

    /** Records the scenario and checks its crash images; throws {@link CrashConsistencyError} at the first failure. */
    public Report run(Path dir) {
        return run(record(dir), dir);
    }

    /** Checks the crash images of a recording {@link #record} made (to look at it first). */
    public Report run(Recorded<T> recorded, Path dir) {
        Report report = explore(recorded, exploration.withOverrides(), seedToUse(), dir);
        System.out.println(report);
        return report;
    }

    private long seedToUse() {
        String property = System.getProperty("pmem.crashsim.seed");
        if (property != null && !property.isBlank()) {
            return Long.decode(property.trim());
        }
        return seed != null ? seed : new SplittableRandom().nextLong();
    }

    private PoolOptions options() {
        return PoolOptions.layout(LAYOUT)
                .withSize(poolSize)
                .withMaxSize(maxSize)
                .withGrowthStep(growthStep)
                .withDurability(Durability.PROCESS);
    }

    /** Runs the setup and records the operation (or the recovery of the image), observing its states. */
    public Recorded<T> record(Path dir) {
        Path base = dir.resolve("crashsim-" + FILES.incrementAndGet() + ".pool");
        RecordingMemory recorder;
        if (fromImage != null) {
            write(base, fromImage);
            recorder = RecordingMemory.fromOpen();
        } else {
            if (operation == null) {
                throw new IllegalStateException("scenario '" + scenarioName() + "' has no operation");
            }
            PmemPool.create(base, options()).close();
            recorder = new RecordingMemory();
        }
        RecordingMemory r = recorder.inOrder(inOrder);
        MemoryDecorator.set(fault == null ? r::wrap : inner -> fault.apply(r.wrap(inner)));
        PmemPool pool;
        try {
            pool = PmemPool.open(base, options());
        } finally {
            MemoryDecorator.clear();
        }
        try (pool) {
            T context = setup.prepare(pool);
            List<Mark> marks = new ArrayList<>();
            if (fromImage != null) {
                Recording recording = recorder.stop();
                Object state = observer == null ? null : observer.observe(pool, context);
                marks.add(new Mark(0, state));
                marks.add(new Mark(recording.size(), state));
                return new Recorded<>(recording, marks, context);
            }
            recorder.start();
            marks.add(new Mark(0, observe(recorder, pool, context)));
            operation.run(
                    pool, context, () -> marks.add(new Mark(recorder.eventCount(), observe(recorder, pool, context))));
            Recording recording = recorder.stop();
            marks.add(new Mark(recording.size(), observer == null ? null : observer.observe(pool, context)));
            return new Recorded<>(recording, marks, context);
        }
    }

    private Object observe(RecordingMemory recorder, PmemPool pool, T context) {
        if (observer == null) {
            return null;
        }
        recorder.pause();
        try {
            return observer.observe(pool, context);
        } finally {
            recorder.resume();
        }
    }

    private Report explore(Recorded<T> recorded, Exploration ex, long runSeed, Path dir) {
        long start = System.nanoTime();
        Recording recording = recorded.recording();
        PersistenceModel model = new PersistenceModel(recording);
        PoolRegions regions = new PoolRegions(recording.layout());
        int n = recording.size();
        int[] points = points(ex, recording, runSeed);
        Path imagePath = dir.resolve("crashsim-image-" + FILES.incrementAndGet() + ".pool");
        Set<PersistenceModel.Fingerprint> seen = new HashSet<>();
        Counters counters = new Counters();
        int duplicates = 0;
        try (FileChannel channel = FileChannel.open(
                imagePath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (int k : points) {
                model.advanceTo(k);
                for (PersistenceModel.Subset subset : subsets(model, k, ex, runSeed)) {
                    if (!seen.add(model.fingerprint(subset))) {
                        duplicates++;
                        continue;
                    }
                    byte[] image = model.image(subset);
                    try {
                        writeFully(channel, image);
                        verify(imagePath, recorded, k, counters);
                    } catch (Throwable failure) {
                        throw failure(recorded, regions, model, subset, k, ex, runSeed, failure);
                    }
                    counters.images++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.deleteIfExists(imagePath);
        } catch (IOException ignored) {
            // the temporary folder goes anyway
        }
        return new Report(
                scenarioName(),
                runSeed,
                n,
                points.length,
                counters.images,
                duplicates,
                counters.allowedFailures,
                counters.redoReplays,
                counters.rollbacks,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static final class Counters {
        int images;
        int allowedFailures;
        int redoReplays;
        int rollbacks;
    }

    private static int[] points(Exploration ex, Recording recording, long runSeed) {
        int n = recording.size();
        Integer only = Integer.getInteger("pmem.crashsim.point");
        if (only != null) {
            if (only < 0 || only > n) {
                throw new IllegalArgumentException("-Dpmem.crashsim.point=" + only + " is outside 0.." + n);
            }
            return new int[] {only};
        }
        if (ex.exhaustive() || ex.points() >= n + 1) {
            int[] all = new int[n + 1];
            for (int i = 0; i <= n; i++) {
                all[i] = i;
            }
            return all;
        }
        SplittableRandom random = new SplittableRandom(runSeed);
        TreeSet<Integer> chosen = new TreeSet<>();
        chosen.add(n);
        if (ex.focus() != null) {
            for (Event e : recording.events()) {
                if (ex.focus().test(e)) {
                    chosen.add(e.index());
                    chosen.add(e.index() + 1);
                }
            }
        }
        int target = chosen.size() + ex.points();
        while (chosen.size() < Math.min(target, n + 1)) {
            chosen.add(random.nextInt(n + 1));
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private static final double[] PROBABILITIES = {0.5, 0.25, 0.75};

    /** The subsets checked at the model's current point; depends on the seed and the point only. */
    static List<PersistenceModel.Subset> subsets(PersistenceModel model, int k, Exploration ex, long runSeed) {
        List<PersistenceModel.Subset> subsets = new ArrayList<>();
        subsets.add(model.allLost());
        subsets.add(model.allPresent());
        int pending = model.pendingWords().size();
        if (pending == 0) {
            return subsets;
        }
        if (pending <= ex.singlesLimit()) {
            for (int i = 0; i < pending; i++) {
                subsets.add(model.onlyPresent(i));
                subsets.add(model.onlyLost(i));
            }
        }
        int[] events = model.pendingEvents();
        if (events.length <= ex.singlesLimit()) {
            for (int e : events) {
                subsets.add(model.onlyEventPresent(e));
                subsets.add(model.onlyEventLost(e));
            }
        }
        for (int r = 0; r < ex.randomSubsets(); r++) {
            SplittableRandom random =
                    new SplittableRandom(PersistenceModel.mix(runSeed + 0x9E3779B97F4A7C15L * (k + 1)) + r);
            if (r % 4 == 3) {
                int cut = events[random.nextInt(events.length)];
                subsets.add(model.prefix(cut, "in-order write-back up to #" + cut + " (random subset " + r + ")"));
            } else {
                double p = PROBABILITIES[r % 4];
                subsets.add(model.random(random, p, "random subset " + r + " (each store kept with p=" + p + ")"));
            }
        }
        return subsets;
    }

    private void verify(Path imagePath, Recorded<T> recorded, int k, Counters counters) {
        PersistentMemory[] raw = new PersistentMemory[1];
        PmemPool opened;
        try {
            opened = openCapturing(imagePath, options(), raw);
        } catch (PmemException e) {
            if (allowed.stream().noneMatch(type -> type.isInstance(e))) {
                throw e;
            }
            counters.allowedFailures++;
            if (!(e instanceof PoolUnsafeShutdownException)) {
                return;
            }
            opened = openCapturing(imagePath, options().withAcceptUnsafeShutdown(true), raw);
        }
        try (PmemPool pool = opened) {
            long sizeAtOpen = pool.stats().poolSize();
            RecoveryReport recovery = pool.lastRecovery();
            if (recovery.redoLogsReplayed() > 0) {
                counters.redoReplays++;
            }
            if (recovery.transactionsRolledBack() > 0) {
                counters.rollbacks++;
            }
            List<Mark> marks = recorded.marks();
            int step = 0;
            while (step + 1 < marks.size() && marks.get(step + 1).events() <= k) {
                step++;
            }
            T context = recorded.context();
            if (observer != null) {
                Object state = observer.observe(pool, context);
                Object before = marks.get(step).state();
                Object after = step + 1 < marks.size() ? marks.get(step + 1).state() : before;
                if (!Objects.equals(state, before) && !Objects.equals(state, after)) {
                    throw new AssertionError("the recovered state is neither the state before nor the state after the"
                            + " step the crash cut (step " + (step + 1) + " of " + (marks.size() - 1) + "):"
                            + "\n      recovered: " + state + "\n      before:    " + before + "\n      after:     "
                            + after);
                }
            }
            PoolLayout layout = Recording.layoutOf(raw[0]); // the size this image recovered to
            if (leakCheck) {
                HeapInvariants.check(pool, raw[0], layout, reach.reachable(pool, context));
            } else {
                HeapInvariants.undoExtensions(raw[0], layout);
            }
            CheckReport report = pool.check();
            if (!report.clean()) {
                throw new AssertionError("the pool check reports "
                        + report.problems().size() + " problem(s): " + String.join("; ", report.problems()));
            }
            Recovered<T> recovered = new Recovered<>(pool, raw[0], layout, context, k, step, recovery, sizeAtOpen);
            for (Check<T> check : checks) {
                check.check(recovered);
            }
        }
    }

    private static PmemPool openCapturing(Path path, PoolOptions options, PersistentMemory[] raw) {
        MemoryDecorator.set(inner -> {
            raw[0] = inner;
            return inner;
        });
        try {
            return PmemPool.open(path, options);
        } finally {
            MemoryDecorator.clear();
        }
    }

    private CrashConsistencyError failure(
            Recorded<T> recorded,
            PoolRegions regions,
            PersistenceModel model,
            PersistenceModel.Subset subset,
            int k,
            Exploration ex,
            long runSeed,
            Throwable cause) {
        Recording recording = recorded.recording();
        int n = recording.size();
        String message =
                "crash-consistency failure in scenario '" + scenarioName() + "' (seed " + runSeed + ", crash point " + k
                        + " of " + n + ")"
                        + "\n  cause: " + describe(cause)
                        + "\n  crash point " + k + ": after "
                        + (k == 0 ? "nothing (start of the recording)" : regions.describe(recording.event(k - 1)))
                        + "\n                 before "
                        + (k == n ? "nothing (end of the recording)" : regions.describe(recording.event(k)))
                        + "\n  image: " + model.describe(subset, regions, 16)
                        + "\n  recording: " + recording.summary() + "; explored " + ex
                        + "\n  replay: -Dpmem.crashsim.seed=" + runSeed + " -Dpmem.crashsim.point=" + k;
        return new CrashConsistencyError(message, cause, runSeed, k);
    }

    private static String describe(Throwable t) {
        if (t instanceof AssertionError && t.getMessage() != null) {
            return t.getMessage();
        }
        StringBuilder out = new StringBuilder(t.toString());
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(4, trace.length); i++) {
            out.append("\n      at ").append(trace[i]);
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- images

    /** The crash image of {@code recording} at {@code point} with the subset {@code choose} picks. */
    public static byte[] crashImage(
            Recording recording, int point, Function<PersistenceModel, PersistenceModel.Subset> choose) {
        PersistenceModel model = new PersistenceModel(recording);
        model.advanceTo(point);
        return model.image(choose.apply(model)).clone();
    }

    private static void write(Path path, byte[] image) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(channel, image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeFully(FileChannel channel, byte[] image) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(image);
        long position = 0;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        channel.truncate(image.length); // an earlier image may have been longer (a growth)
    }
}
