package dev.pmemspring.core.internal.file;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reserves every block of a pool file on the file system, at creation and at each growth, so that
 * no store into the mapping ever meets a hole on a full disk (which the kernel answers with SIGBUS,
 * killing the JVM). Uses {@code posix_fallocate} where the C library has it, else writes zeros.
 */
final class FileSpace {

    /** The file system has no room for the file. */
    static final class NoSpaceException extends IOException {
        private static final long serialVersionUID = 1L;

        NoSpaceException(String message) {
            super(message);
        }
    }

    private static final int EFBIG = 27;
    private static final int ENOSPC = 28;
    private static final int O_WRONLY = 1;
    // The shapes of the C calls. A native image needs each registered at build time: the pool's
    // jar lists the same in META-INF/native-image/dev.pmemspring/pmem-core/reachability-metadata.json.
    /** {@code int open(const char *path, int flags, ...)}. */
    static final FunctionDescriptor OPEN =
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    /** {@code open}'s arguments after the path and the flags are variadic. */
    static final int OPEN_FIRST_VARIADIC = 2;
    /** {@code int posix_fallocate(int fd, off_t offset, off_t len)}. */
    static final FunctionDescriptor POSIX_FALLOCATE = FunctionDescriptor.of(
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    /** {@code int close(int fd)}; {@code int fsync(int fd)} has the same shape. */
    static final FunctionDescriptor CLOSE = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    /** {@code int ftruncate(int fd, off_t length)}. */
    static final FunctionDescriptor FTRUNCATE =
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG);

    private static final Native NATIVE = Native.load();

    private FileSpace() {}

    static void allocate(Path file, long size) throws IOException {
        if (NATIVE != null && NATIVE.fallocate(file, size)) {
            return;
        }
        writeZeros(file, size);
    }

    private static void writeZeros(Path file, long size) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long at = 0;
            while (at < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                at += channel.write(zeros, at);
            }
            channel.force(true);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left")) {
                throw new NoSpaceException(e.getMessage());
            }
            throw e;
        }
    }

    /**
     * A descriptor of an open pool file, kept open for as long as the pool is, through which the
     * file grows; null where the C library's calls cannot be linked, or the descriptor opened is
     * not of the file {@code identity} names (it was replaced meanwhile): such a pool does not grow.
     *
     * <p>Its own descriptor, for two reasons. The OS drops a process's lock on a file when any
     * descriptor of that file is closed, so one opened and closed per growth would unlock the
     * pool. And growth runs on application threads, whose interrupt would close a
     * {@code FileChannel} in the middle of its I/O (and with it the pool's lock); C calls on a
     * descriptor are not interruptible. Close it after the pool's channel has released its lock.
     */
    static Growable growable(Path file, Object identity) {
        if (NATIVE == null || NATIVE.fsync == null || NATIVE.ftruncate == null) {
            return null;
        }
        int fd = NATIVE.openForWriting(file);
        if (fd < 0) {
            return null;
        }
        try {
            // Linux names an open descriptor's file here: the same inode as the one locked, or not ours.
            if (identity.equals(LockedFiles.identity(Path.of("/proc/self/fd/" + fd)))) {
                return new Growable(fd);
            }
        } catch (IOException noProc) {
            // not Linux, or no /proc: the descriptor cannot be checked, so it is not used
        }
        NATIVE.close(fd);
        return null;
    }

    /** See {@link #growable}. */
    static final class Growable implements AutoCloseable {
        private int fd;

        private Growable(int fd) {
            this.fd = fd;
        }

        /**
         * Gives the file allocated, zeroed space for {@code [from, to)}, extending its length to
         * {@code to}, and forces it to the device: the new length is on disk before a header that
         * records it can be (a machine crash must not leave a header claiming space the file lacks,
         * in either durability). On failure the file gets its length {@code from} back.
         */
        synchronized void extend(long from, long to) throws IOException {
            if (fd < 0) {
                throw new IOException("the pool is closed");
            }
            try {
                if (!NATIVE.fallocate(fd, from, to - from)) {
                    throw new IOException("posix_fallocate failed for " + (to - from) + " bytes at " + from);
                }
                NATIVE.fsync(fd);
            } catch (IOException e) {
                try {
                    NATIVE.truncate(fd, from); // a longer file is otherwise trimmed at the next open
                } catch (IOException ignored) {
                    // the next open trims it
                }
                throw e;
            }
        }

        @Override
        public synchronized void close() {
            if (fd >= 0) {
                NATIVE.close(fd);
                fd = -1; // a growth after this must not reach a descriptor number reused by another file
            }
        }
    }

    /** The C library calls, or nothing where they cannot be linked. */
    private record Native(
            MethodHandle open,
            MethodHandle posixFallocate,
            MethodHandle close,
            MethodHandle fsync,
            MethodHandle ftruncate) {

        static Native load() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                MethodHandle open = linker.downcallHandle(
                        libc.find("open").orElseThrow(), OPEN, Linker.Option.firstVariadicArg(OPEN_FIRST_VARIADIC));
                MethodHandle fallocate =
                        linker.downcallHandle(libc.find("posix_fallocate").orElseThrow(), POSIX_FALLOCATE);
                MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(), CLOSE);
                // Growth only: a pool still gets created without them.
                MethodHandle fsync = libc.find("fsync")
                        .map(f -> linker.downcallHandle(f, CLOSE))
                        .orElse(null);
                MethodHandle ftruncate = libc.find("ftruncate")
                        .map(f -> linker.downcallHandle(f, FTRUNCATE))
                        .orElse(null);
                return new Native(open, fallocate, close, fsync, ftruncate);
            } catch (Throwable unavailable) {
                // No native access (or no such C library): fall back to writing zeros.
                return null;
            }
        }

        /** Returns false when the file system does not support it and zeros must be written. */
        boolean fallocate(Path file, long size) throws IOException {
            int fd = openForWriting(file);
            if (fd < 0) {
                return false;
            }
            try {
                return fallocate(fd, 0, size);
            } finally {
                close(fd);
            }
        }

        /** Returns false when the file system does not support it and zeros must be written. */
        boolean fallocate(int fd, long offset, long length) throws IOException {
            int err;
            try {
                err = (int) posixFallocate.invokeExact(fd, offset, length);
            } catch (Throwable e) {
                return false;
            }
            if (err == ENOSPC) {
                throw new NoSpaceException("no space left on the device for " + length + " more bytes");
            }
            if (err == EFBIG) {
                throw new NoSpaceException("the file may not grow to " + (offset + length)
                        + " bytes (a file size limit of the process or the file system)");
            }
            return err == 0;
        }

        /** A write descriptor of {@code file}, or -1. */
        int openForWriting(Path file) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment name = arena.allocateFrom(file.toString());
                return (int) open.invokeExact(name, O_WRONLY);
            } catch (Throwable e) {
                return -1;
            }
        }

        void fsync(int fd) throws IOException {
            succeed("fsync", () -> (int) fsync.invokeExact(fd));
        }

        void truncate(int fd, long length) throws IOException {
            succeed("ftruncate", () -> (int) ftruncate.invokeExact(fd, length));
        }

        /** A C call that returns 0 on success. */
        private interface Call {
            int run() throws Throwable;
        }

        private static void succeed(String what, Call call) throws IOException {
            int result;
            try {
                result = call.run();
            } catch (Throwable e) {
                throw new IOException(what + " failed: " + e, e);
            }
            if (result != 0) {
                throw new IOException(what + " failed on the pool file");
            }
        }

        void close(int fd) {
            try {
                int ignored = (int) close.invokeExact(fd);
            } catch (Throwable ignored) {
                // nothing left to do with a descriptor that does not close
            }
        }
    }
}
