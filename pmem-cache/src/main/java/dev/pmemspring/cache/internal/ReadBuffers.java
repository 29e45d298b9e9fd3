package dev.pmemspring.cache.internal;

import dev.pmemspring.core.PmemMap;

/**
 * One {@link PmemMap.ReadBuffer} per thread, so a hit that reads the pool copies the entry into an
 * array it reuses instead of allocating one. The pool is read without locks, so an entry is
 * verified in a copy before the deserializer sees its value; this keeps that copy and drops its
 * allocation. A thread that reads again while its buffer is in use (a deserializer that reads a
 * cache) gets a buffer of its own for that read.
 */
public final class ReadBuffers {

    private static final ThreadLocal<Lease> LEASES = ThreadLocal.withInitial(Lease::new);

    /** A thread's buffer and whether a read holds it. */
    public static final class Lease {
        private final PmemMap.ReadBuffer buffer = new PmemMap.ReadBuffer();
        private boolean held;

        public PmemMap.ReadBuffer buffer() {
            return buffer;
        }

        /** Gives the buffer back (its bytes may be overwritten by the next read). */
        public void release() {
            held = false;
        }
    }

    private ReadBuffers() {}

    /** This thread's buffer, or a new one if it is in use. */
    public static Lease acquire() {
        Lease lease = LEASES.get();
        if (lease.held) {
            lease = new Lease();
        }
        lease.held = true;
        return lease;
    }
}
