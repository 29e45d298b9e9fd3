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
 * Reserves every block of a new pool file on the file system, so that no store into the mapping
 * ever meets a hole on a full disk (which the kernel answers with SIGBUS, killing the JVM).
 * Uses {@code posix_fallocate} where the C library has it, else writes zeros.
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
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment name = arena.allocateFrom(file.toString());
                int fd = (int) open.invokeExact(name, O_WRONLY);
                if (fd < 0) {
                    return false;
                }
                try {
                    int err = (int) posixFallocate.invokeExact(fd, 0L, size);
                    if (err == ENOSPC || err == EFBIG) {
                        throw new NoSpaceException("no space left on device for " + size + " bytes");
                    }
                    return err == 0;
                } finally {
                    int ignored = (int) close.invokeExact(fd);
                }
            } catch (IOException e) {
                throw e;
            } catch (Throwable e) {
                return false;
            }
        }
    }
}
