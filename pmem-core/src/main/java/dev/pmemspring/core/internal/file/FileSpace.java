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
    /** {@code int close(int fd)}. */
    static final FunctionDescriptor CLOSE = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);

    private static final Native NATIVE = Native.load();

    private FileSpace() {}

    static void allocate(Path file, long size) throws IOException {
        if (NATIVE != null && NATIVE.fallocate(file, size)) {
            return;
        }
        writeZeros(file, size);
    }

    private static void writeZeros(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writeZeros(channel, 0, size);
            channel.force(true);
        }
    }

    private static void writeZeros(FileChannel channel, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        try {
            long at = from;
            while (at < to) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
                at += channel.write(zeros, at);
            }
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("No space left") || message.contains("File too large")) {
                throw new NoSpaceException(message);
            }
            throw e;
        }
    }

    /**
     * A descriptor of an open pool file, kept open for as long as the pool is, through which the
     * file grows. Its own descriptor, because the OS drops a process's lock on a file when any
     * descriptor of that file is closed: one opened and closed per growth would unlock the pool.
     * Close it after the pool's channel has released its lock.
     */
    static Growable growable(Path file, FileChannel channel) {
        int fd = NATIVE == null ? -1 : NATIVE.openForWriting(file);
        return new Growable(fd, channel);
    }

    /** See {@link #growable}. */
    static final class Growable implements AutoCloseable {
        private final int fd;
        private final FileChannel channel;

        private Growable(int fd, FileChannel channel) {
            this.fd = fd;
            this.channel = channel;
        }

        /** Gives the file allocated, zeroed space for {@code [from, to)}, extending its length to {@code to}. */
        void extend(long from, long to) throws IOException {
            if (fd >= 0 && NATIVE.fallocate(fd, from, to - from)) {
                return;
            }
            writeZeros(channel, from, to);
        }

        @Override
        public void close() {
            if (fd >= 0) {
                NATIVE.close(fd);
            }
        }
    }

    /** The C library calls, or nothing where they cannot be linked. */
    private record Native(MethodHandle open, MethodHandle posixFallocate, MethodHandle close) {

        static Native load() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                MethodHandle open = linker.downcallHandle(
                        libc.find("open").orElseThrow(), OPEN, Linker.Option.firstVariadicArg(OPEN_FIRST_VARIADIC));
                MethodHandle fallocate =
                        linker.downcallHandle(libc.find("posix_fallocate").orElseThrow(), POSIX_FALLOCATE);
                MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(), CLOSE);
                return new Native(open, fallocate, close);
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

        void close(int fd) {
            try {
                int ignored = (int) close.invokeExact(fd);
            } catch (Throwable ignored) {
                // nothing left to do with a descriptor that does not close
            }
        }
    }
}
