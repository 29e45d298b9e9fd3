package dev.pmemspring.core.tool;

import org.jspecify.annotations.Nullable;

import dev.pmemspring.core.CheckReport;
import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MapStats;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolInfo;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.PoolStats;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pool's command-line tool, in the manner of PMDK's {@code pmempool}.
 *
 * <pre>
 *   pmem-pool create [--layout NAME] [--size SIZE] [--max-size SIZE] POOL
 *                                                        create a pool (SIZE like 64M, 1G) that grows up to --max-size
 *   pmem-pool info [--create] POOL                        print identity, usage, maps and last recovery
 *   pmem-pool check POOL                                  walk all metadata and report problems
 * </pre>
 *
 * Exit status: 0 success (for check: clean), 1 the pool could not be used or check found damage
 * (the message says what), 2 bad usage. Run it as {@code java -jar pmem-core.jar COMMAND ...}.
 */
public final class PoolTool {

    private PoolTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            return usage(err, "no command given");
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        try {
            return switch (args[0]) {
                case "create" -> create(rest, out, err);
                case "info" -> info(rest, out, err);
                case "check" -> check(rest, out);
                case "help", "--help", "-h" -> {
                    usage(out, null);
                    yield 0;
                }
                default -> usage(err, "unknown command '" + args[0] + "'");
            };
        } catch (PmemException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
    }

    private static int create(List<String> args, PrintStream out, PrintStream err) {
        String layout = option(args, "--layout", "default");
        long size = parseSize(option(args, "--size", "64M"));
        long maxSize = parseSize(option(args, "--max-size", "0"));
        Path path = onlyPath(args);
        try (PmemPool pool =
                PmemPool.create(path, PoolOptions.layout(layout).withSize(size).withMaxSize(maxSize))) {
            out.println("created " + path + " (layout '" + layout + "', " + size + " bytes"
                    + (maxSize > size ? ", grows to " + maxSize + " bytes" : "") + ")");
        }
        return 0;
    }

    private static int info(List<String> args, PrintStream out, PrintStream err) {
        boolean create = args.remove("--create");
        Path path = onlyPath(args);
        if (create && !Files.exists(path)) {
            PmemPool.create(path, PoolOptions.layout("default")).close();
            out.println("created " + path);
        }
        try (PmemPool pool = PmemPool.open(path, PoolOptions.anyLayout().withDurability(Durability.PROCESS))) {
            print(pool.info(), out);
            for (String name : pool.mapNames()) {
                MapStats stats = pool.map(name).stats();
                out.println("map " + name + ": " + stats.entries() + " entries, " + bytes(stats.bytes()));
            }
        }
        return 0;
    }

    private static int check(List<String> args, PrintStream out) {
        Path path = onlyPath(args);
        try (PmemPool pool = PmemPool.open(path, PoolOptions.anyLayout().withDurability(Durability.PROCESS))) {
            CheckReport report = pool.check();
            report.problems().forEach(p -> out.println("problem: " + p));
            out.println((report.clean() ? "clean: " : report.problems().size() + " problems: ") + report.blocks()
                    + " blocks, " + report.maps() + " maps, " + report.entries() + " map entries");
            return report.clean() ? 0 : 1;
        }
    }

    static void print(PoolInfo info, PrintStream out) {
        PoolStats s = info.stats();
        out.println("pool:               " + info.path());
        out.println("uuid:               " + info.uuid());
        out.println("layout:             " + info.layout());
        out.println("format:             " + info.formatVersion());
        out.println("created:            " + info.created());
        out.println("mapping:            " + info.mapping());
        out.println("persistence domain: " + info.persistenceDomain());
        out.println("flush:              " + info.flush());
        out.println("dirty shutdowns:    "
                + (info.deviceDirtyShutdowns() < 0 ? "not reported" : info.deviceDirtyShutdowns()));
        out.println("lanes:              " + info.lanes());
        out.println("pool size:          " + bytes(s.poolSize())
                + (s.maxSize() > s.initialSize()
                        ? " (created at " + bytes(s.initialSize()) + ", grows to " + bytes(s.maxSize()) + "; "
                                + s.growths() + (s.growths() == 1 ? " growth" : " growths")
                                + (s.growthFailures() > 0 ? ", " + s.growthFailures() + " failed" : "")
                                + ")"
                        : ""));
        out.println("heap size:          " + bytes(s.heapSize()));
        out.println("used:               " + bytes(s.used()) + percent(s.used(), s.heapSize()));
        out.println("free:               " + bytes(s.free()) + percent(s.free(), s.heapSize()));
        out.println("largest free block: " + bytes(s.largestFreeBlock()));
        out.println("fragmentation:      "
                + String.format(
                        Locale.ROOT,
                        "%.1f%%",
                        s.free() == 0 ? 0.0 : 100.0 * (1 - (double) s.largestFreeBlock() / s.free())));
        out.println("objects:            " + s.objects());
        out.println("runs:               " + info.runs());
        var recovery = info.lastRecovery();
        out.println("last recovery:      " + recovery.redoLogsReplayed() + " redo logs replayed, "
                + recovery.transactionsRolledBack() + " transactions rolled back, header "
                + (recovery.headerRepaired() ? "repaired" : "intact") + ", "
                + recovery.time().toNanos() / 1000 + " us");
        out.println("shutdown:           "
                + (recovery.unsafeShutdown()
                        ? "UNSAFE (cut by a machine crash while open in PROCESS durability, or by a dirty"
                                + " shutdown of its device; contents may be torn)"
                        : "clean or recoverable"));
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String value = args.get(i + 1);
        args.subList(i, i + 2).clear();
        return value;
    }

    private static Path onlyPath(List<String> args) {
        if (args.size() != 1 || args.getFirst().startsWith("--")) {
            throw new IllegalArgumentException("expected one pool path, got " + args);
        }
        return Path.of(args.getFirst());
    }

    static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'K' -> unit = 1L << 10;
            case 'M' -> unit = 1L << 20;
            case 'G' -> unit = 1L << 30;
            case 'T' -> unit = 1L << 40;
            default -> {}
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("bad size '" + text + "': use bytes or a number with K, M, G or T");
        }
    }

    private static String bytes(long n) {
        return n + " bytes" + (n >= 1 << 20 ? String.format(Locale.ROOT, " (%.1f MiB)", n / 1048576.0) : "");
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "" : String.format(Locale.ROOT, " [%.1f%%]", 100.0 * part / whole);
    }

    private static int usage(PrintStream stream, @Nullable String problem) {
        if (problem != null) {
            stream.println("error: " + problem);
        }
        stream.println("usage: pmem-pool create [--layout NAME] [--size SIZE] [--max-size SIZE] POOL");
        stream.println("       pmem-pool info [--create] POOL");
        stream.println("       pmem-pool check POOL");
        return 2;
    }
}
