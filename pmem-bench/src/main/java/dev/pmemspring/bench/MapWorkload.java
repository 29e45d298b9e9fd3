package dev.pmemspring.bench;

import java.util.SplittableRandom;

/**
 * Keys and key sequences for the map benchmarks, the same for every implementation.
 *
 * <p>A key is 16 bytes derived from an index and a namespace: bytes 0-7 are a bijective mix of the
 * index (so two indices never share a key), bytes 8-14 another mix of it, byte 15 the namespace.
 * Namespaces keep the sets apart: {@link #PRELOADED} keys are put before measuring,
 * {@link #MISSING} keys never are, and each thread's new keys get a namespace of their own.
 *
 * <p>Key choice is Zipfian (the YCSB generator, Gray et al. "Quickly generating billion-record
 * synthetic databases"): rank {@code r} has probability proportional to {@code 1 / (r + 1)^theta}.
 * Ranks are mapped to key indices through a fixed shuffle, so the hot keys are not the first ones
 * put. Sequences are precomputed, so no random number is drawn while measuring.
 */
final class MapWorkload {

    static final int KEY_SIZE = 16;
    static final byte PRELOADED = 0;
    static final byte MISSING = 1;
    /** Namespace of the new keys thread {@code t} puts: {@code FRESH + t}. */
    static final byte FRESH = 2;

    /** The skew YCSB uses by default. */
    static final double THETA = 0.99;
    /** Per-thread sequence length: a power of two, far longer than any cache-friendly loop. */
    static final int SEQUENCE_LENGTH = 1 << 20;

    static final int SEQUENCE_MASK = SEQUENCE_LENGTH - 1;

    private MapWorkload() {}

    static byte[] key(long index, byte namespace) {
        byte[] key = new byte[KEY_SIZE];
        long a = mix(index);
        long b = mix(index ^ 0x5DEECE66DL);
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (a >>> (8 * i));
        }
        for (int i = 0; i < 7; i++) {
            key[8 + i] = (byte) (b >>> (8 * i));
        }
        key[15] = namespace;
        return key;
    }

    static byte[][] keys(int count, byte namespace) {
        byte[][] keys = new byte[count][];
        for (int i = 0; i < count; i++) {
            keys[i] = key(i, namespace);
        }
        return keys;
    }

    /** A value of {@code size} random bytes (the content does not matter, its size does). */
    static byte[] value(int size, long seed) {
        byte[] value = new byte[size];
        new SplittableRandom(seed).nextBytes(value);
        return value;
    }

    /** The splitmix64 finalizer: a bijection of longs. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * {@link #SEQUENCE_LENGTH} key indices in {@code [0, n)}, Zipfian with skew {@link #THETA},
     * for one thread ({@code seed} differs per thread).
     */
    static int[] zipfianSequence(int n, long seed) {
        Zipfian zipf = Zipfian.of(n, THETA);
        int[] permutation = permutation(n);
        SplittableRandom random = new SplittableRandom(seed);
        int[] sequence = new int[SEQUENCE_LENGTH];
        for (int i = 0; i < SEQUENCE_LENGTH; i++) {
            sequence[i] = permutation[zipf.rank(random.nextDouble())];
        }
        return sequence;
    }

    /** {@link #SEQUENCE_LENGTH} choices, true with probability {@code percent}/100. */
    static boolean[] coinSequence(int percent, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] coins = new boolean[SEQUENCE_LENGTH];
        for (int i = 0; i < SEQUENCE_LENGTH; i++) {
            coins[i] = random.nextInt(100) < percent;
        }
        return coins;
    }

    /** The same shuffle of {@code [0, n)} for every run (Fisher-Yates, fixed seed). */
    private static int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(0x6A09E667F3BCC909L);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** YCSB's Zipfian generator over ranks {@code [0, n)}. */
    record Zipfian(int n, double theta, double zetaN, double alpha, double eta) {

        static Zipfian of(int n, double theta) {
            double zetaN = zeta(n, theta);
            double zeta2 = zeta(2, theta);
            double alpha = 1.0 / (1.0 - theta);
            double eta = (1.0 - Math.pow(2.0 / n, 1.0 - theta)) / (1.0 - zeta2 / zetaN);
            return new Zipfian(n, theta, zetaN, alpha, eta);
        }

        private static double zeta(long n, double theta) {
            double sum = 0;
            for (long i = 1; i <= n; i++) {
                sum += 1.0 / Math.pow(i, theta);
            }
            return sum;
        }

        /** The rank for a uniform draw {@code u} in [0, 1). */
        int rank(double u) {
            double uz = u * zetaN;
            if (uz < 1.0) {
                return 0;
            }
            if (uz < 1.0 + Math.pow(0.5, theta)) {
                return Math.min(1, n - 1);
            }
            long r = (long) (n * Math.pow(eta * u - eta + 1.0, alpha));
            return (int) Math.min(Math.max(r, 0), n - 1);
        }
    }
}
