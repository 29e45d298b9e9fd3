package dev.pmemspring.core.internal.file;

import dev.pmemspring.core.MappingMode;
import dev.pmemspring.core.NotAPoolException;
import dev.pmemspring.core.PmemException;
import dev.pmemspring.core.PoolAlreadyExistsException;
import dev.pmemspring.core.PoolCorruptedException;
import dev.pmemspring.core.PoolFormatTooNewException;
import dev.pmemspring.core.PoolInUseException;
import dev.pmemspring.core.PoolLayoutMismatchException;
import dev.pmemspring.core.PoolNoSpaceException;
import dev.pmemspring.core.PoolTooSmallException;
import dev.pmemspring.core.PoolTruncatedException;
import dev.pmemspring.core.internal.memory.MappedMemory;
import dev.pmemspring.core.internal.memory.PersistentMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * An open pool file: its channel, the OS lock that makes this process its only user, its validated
 * header and its mapping. Creating, validating and mapping live here; what is inside the mapping
 * belongs to the layers above.
 *
 * <p>Longer than most files here because every way a file can be refused (not a pool, too new, the
 * wrong layout, truncated, in use, cut by a crash) has its own check and its own message.
 */
public final class PoolFile implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PoolFile.class.getName());

    private final Path path;
    private final Object identity;
    private final FileChannel channel;
    private final FileLock lock;
    private volatile PoolHeader header;
    private final Arena arena;
    private final MemorySegment segment;
    private final MappingMode mapping;
    private final FileSpace.Growable growable;
    private boolean headerRepaired;
    private boolean closed;

    private PoolFile(
            Path path,
            Object identity,
            FileChannel channel,
            FileLock lock,
            PoolHeader header,
            Arena arena,
            MemorySegment segment,
            MappingMode mapping,
            FileSpace.Growable growable) {
        this.path = path;
        this.identity = identity;
        this.channel = channel;
        this.lock = lock;
        this.header = header;
        this.arena = arena;
        this.segment = segment;
        this.mapping = mapping;
        this.growable = growable;
    }

    public Path path() {
        return path;
    }

    public PoolHeader header() {
        return header;
    }

    /** The mapping: the pool's maximum size, of which the file backs the current size. */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * How the file gives space to a growth of the mapped memory: allocated, zeroed blocks whose new
     * length is forced to the device before a header may record it ({@link FileSpace.Growable}).
     */
    public MappedMemory.Backing backing() {
        return (from, to) -> {
            if (growable == null) {
                throw new IOException("this pool cannot grow in this process (see the warning at its open)");
            }
            growable.extend(from, to);
        };
    }

    /** Whether the pool may grow in this process: created with a maximum above its size, and mapped for it. */
    public boolean canGrow() {
        return growable != null;
    }

    /**
     * Makes {@code grown} the pool's header: copy B, then copy A, each persisted before the next.
     * Open trusts a valid A: until A is written the pool is what it was (and B is repaired from
     * A); a torn A is refused by its checksum and B, already new, wins. Synchronized with
     * {@link #checkHeaders}, which would otherwise see the two copies between their writes.
     */
    synchronized void commitHeader(PersistentMemory memory, PoolHeader grown) {
        byte[] raw = grown.encode();
        memory.putBytes(PoolLayout.HEADER_B, raw, 0, raw.length);
        memory.persist(PoolLayout.HEADER_B, raw.length);
        memory.putBytes(PoolLayout.HEADER_A, raw, 0, raw.length);
        memory.persist(PoolLayout.HEADER_A, raw.length);
        header = grown;
    }

    public MappingMode mapping() {
        return mapping;
    }

    /** Whether open found a header copy damaged and rewrote it from the good one. */
    public boolean headerRepaired() {
        return headerRepaired;
    }

    /** The layout at the pool's current size. */
    public PoolLayout layout() {
        PoolHeader h = header;
        return PoolLayout.of(h.poolSize(), h.maxSize(), h.laneCount());
    }

    // ---------------------------------------------------------------- create

    /**
     * Creates a pool file, fully allocated and with mode 0600, and lets {@code format} write its
     * empty structures before the headers go in. The file is built under a temporary name and
     * linked into place only when complete, so a crash during creation leaves no half pool; the
     * folder is synced after the link, so once this returns the name survives a power cut.
     *
     * @param maxSize the size the pool may grow to (its chunk table is laid out for it); {@code size}
     *                for a pool that never grows
     */
    public static void create(Path path, String layoutName, long size, long maxSize, Consumer<MappedFormat> format) {
        create(path, layoutName, size, maxSize, format, FileNames.system());
    }

    static void create(Path path, String layoutName, long size, Consumer<MappedFormat> format, FileNames names) {
        create(path, layoutName, size, size, format, names);
    }

    static void create(
            Path path, String layoutName, long size, long maxSize, Consumer<MappedFormat> format, FileNames names) {
        checkLayoutName(layoutName);
        if (size < PoolLayout.MIN_POOL_SIZE) {
            throw new PoolTooSmallException(
                    path,
                    "size " + size + " bytes is below the minimum pool size of " + PoolLayout.MIN_POOL_SIZE
                            + " bytes (8 MiB); ask for a larger size");
        }
        if (maxSize < size) {
            throw new IllegalArgumentException(
                    "the maximum pool size (" + maxSize + " bytes) must not be below the size (" + size + " bytes)");
        }
        PoolLayout layout = PoolLayout.of(size, maxSize, PoolLayout.DEFAULT_LANES);
        if (layout.chunkCount() < 1) {
            throw new PoolTooSmallException(
                    path,
                    "size " + size + " bytes leaves no room for data beside the chunk table of a pool that may grow to "
                            + maxSize + " bytes (" + (layout.chunkDataOffset() - layout.heapTableOffset())
                            + " bytes); ask for a larger size or a smaller maximum");
        }
        if (Files.exists(path)) {
            throw new PoolAlreadyExistsException(
                    path, "a file already exists there; open it, or delete it to create a new pool");
        }
        Path folder = CreationLeftovers.folderOf(path);
        Path temp = CreationLeftovers.temporaryFor(path);
        Object identity = null;
        try {
            CreationLeftovers.remove(path, null, names);
            createPrivateFile(temp);
            identity = LockedFiles.identity(temp);
            LockedFiles.claim(identity); // a file just made: nothing here holds it yet
            // FileSpace opens and closes its own descriptor, which would drop a lock taken before.
            FileSpace.allocate(temp, size);
            PoolHeader header = new PoolHeader(
                    PoolHeader.FORMAT_MAJOR,
                    PoolHeader.FORMAT_MINOR,
                    0,
                    maxSize > size ? PoolHeader.GROWABLE : 0,
                    UUID.randomUUID(),
                    layoutName,
                    size,
                    System.currentTimeMillis(),
                    layout.laneCount(),
                    maxSize,
                    size,
                    0);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    Arena arena = Arena.ofShared()) {
                if (ch.tryLock() == null) {
                    throw new PmemException(
                            path,
                            "another process took this pool's temporary file " + temp
                                    + " while it was being created; create the pool again");
                }
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                format.accept(new MappedFormat(seg, layout));
                seg.force();
                // Header B, then A: a file with a valid header A is complete.
                byte[] raw = header.encode();
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, PoolLayout.HEADER_B, raw.length);
                seg.asSlice(PoolLayout.HEADER_B, raw.length).force();
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, PoolLayout.HEADER_A, raw.length);
                seg.asSlice(PoolLayout.HEADER_A, raw.length).force();
                ch.force(true);
                // The file is whole on disk before it gets its name, and the name is on disk
                // before the temporary one goes: a cut at any step leaves no pool or a whole one.
                names.link(temp, path);
                names.syncFolder(folder);
                names.remove(temp);
                names.syncFolder(folder);
            }
        } catch (FileSpace.NoSpaceException e) {
            throw new PoolNoSpaceException(
                    path,
                    "the file system has no room for " + size
                            + " bytes; free disk space, choose a smaller pool size, or put the pool elsewhere");
        } catch (FileAlreadyExistsException e) {
            throw new PoolAlreadyExistsException(
                    path, "a file appeared there while the pool was being created; open it instead");
        } catch (IOException e) {
            throw new PmemException(
                    path, "cannot create the pool file: " + e + "; check that the folder exists and is writable", e);
        } finally {
            if (identity != null) {
                LockedFiles.release(identity);
            }
            try {
                // After a failure only; a crash instead leaves it to the next create or open.
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: a stray temporary file is removed at the next create or open
            }
        }
    }

    /** The new file's mapping and layout, for writing its empty structures. */
    public record MappedFormat(MemorySegment segment, PoolLayout layout) {}

    private static void createPrivateFile(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }

    static void checkLayoutName(String layoutName) {
        if (layoutName == null || layoutName.isEmpty()) {
            throw new IllegalArgumentException("pool layout name must not be empty");
        }
        if (layoutName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > PoolHeader.MAX_LAYOUT_BYTES
                || layoutName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("pool layout name must be at most " + PoolHeader.MAX_LAYOUT_BYTES
                    + " UTF-8 bytes without NUL: '" + layoutName + "'");
        }
    }

    // ---------------------------------------------------------------- open

    /**
     * Opens, locks, validates and maps a pool file.
     *
     * @param expectedLayout the layout the caller needs, or null to accept any
     * @param sync whether durability {@code sync} is asked for (then a DAX {@code MAP_SYNC} mapping is tried)
     */
    public static PoolFile open(Path path, String expectedLayout, boolean sync) {
        return open(path, expectedLayout, sync, FileNames.system());
    }

    static PoolFile open(Path path, String expectedLayout, boolean sync, FileNames names) {
        Object identity;
        try {
            identity = LockedFiles.identity(path);
        } catch (IOException e) {
            throw cannotOpen(path, e);
        }
        // Claimed before any channel is opened: a second channel, once closed, would drop the lock.
        if (!LockedFiles.claim(identity)) {
            throw inUse(path);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            LockedFiles.release(identity);
            throw cannotOpen(path, e);
        }
        boolean success = false;
        FileSpace.Growable growable = null;
        Arena arena = null;
        try {
            FileLock lock = lockOrFail(path, channel);
            removeLeftovers(path, identity, names);
            HeaderCopies copies = readHeader(path, channel, expectedLayout);
            PoolHeader header = copies.header();
            trimCutGrowth(path, channel, header);
            arena = Arena.ofShared();
            // A growable pool maps its maximum size once, so growing never remaps and no segment a
            // reader holds goes stale. Mapping past the end lengthens the file (sparse, no blocks);
            // it gets its length back right after, and the pages past it are never touched.
            long mapped = header.maxSize();
            Mapped map;
            try {
                map = map(channel, mapped, sync, arena);
            } catch (IOException refused) {
                if (mapped == header.poolSize()) {
                    throw refused;
                }
                // A file size limit below the maximum (ulimit -f, the file system's own) refuses
                // even a sparse length: the pool opens at its size and does not grow.
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot map " + path + " at its maximum size of " + mapped + " bytes (" + refused.getMessage()
                                + "); it opens at its size of " + header.poolSize() + " bytes and will not grow");
                channel.truncate(header.poolSize());
                mapped = header.poolSize();
                map = map(channel, mapped, sync, arena);
            }
            MemorySegment segment = map.segment();
            MappingMode mapping = map.mode();
            if (mapped > header.poolSize()) {
                channel.truncate(header.poolSize());
                growable = FileSpace.growable(path, identity);
                if (growable == null) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "cannot keep a descriptor of " + path + " for growing it (no C library calls, or no"
                                    + " /proc to check the descriptor against); it stays at its size of "
                                    + header.poolSize() + " bytes");
                }
            }
            PoolFile file = new PoolFile(path, identity, channel, lock, header, arena, segment, mapping, growable);
            file.repairHeaderCopies(copies);
            success = true;
            return file;
        } catch (IOException e) {
            throw new PmemException(path, "cannot map the pool file: " + e, e);
        } finally {
            if (!success) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                } finally {
                    if (arena != null) {
                        arena.close();
                    }
                    if (growable != null) {
                        growable.close();
                    }
                    LockedFiles.release(identity);
                }
            }
        }
    }

    private record Mapped(MemorySegment segment, MappingMode mode) {}

    /** Maps {@code size} bytes: with {@code MAP_SYNC} if {@code sync} asks and the file is on DAX, else shared. */
    private static Mapped map(FileChannel channel, long size, boolean sync, Arena arena) throws IOException {
        if (sync) {
            try {
                return new Mapped(
                        channel.map(jdk.nio.mapmode.ExtendedMapMode.READ_WRITE_SYNC, 0, size, arena),
                        MappingMode.DAX_SYNC);
            } catch (IOException | UnsupportedOperationException notDax) {
                // Not a DAX file system: msync is the way to durability.
            }
        }
        return new Mapped(channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), MappingMode.SHARED);
    }

    /** Leftovers of a cut creation are harmless where they are: failing to remove them fails nothing. */
    private static void removeLeftovers(Path path, Object identity, FileNames names) {
        try {
            int removed = CreationLeftovers.remove(path, identity, names);
            if (removed > 0) {
                LOG.log(
                        System.Logger.Level.INFO,
                        "removed " + removed + " temporary file(s) left by a cut creation of " + path);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove temporary files left beside " + path + ": " + e);
        }
    }

    private static PmemException cannotOpen(Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new PmemException(path, "no such pool file; create it first (or enable create-if-missing)", e);
        }
        return new PmemException(path, "cannot open the pool file: " + e + "; check its permissions", e);
    }

    private static PoolInUseException inUse(Path path) {
        return new PoolInUseException(
                path,
                "the pool is already open in another process (or elsewhere in this one);"
                        + " stop that process or close the pool there, or give this instance its own pool path");
    }

    private static FileLock lockOrFail(Path path, FileChannel channel) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw inUse(path);
        }
        return lock;
    }

    /**
     * The header open trusts, its bytes as read, and whether each copy holds exactly those bytes
     * (a copy that does not is repaired from them once the file is mapped).
     */
    private record HeaderCopies(PoolHeader header, byte[] good, boolean aHoldsGood, boolean bHoldsGood) {}

    private static HeaderCopies readHeader(Path path, FileChannel channel, String expectedLayout) throws IOException {
        long fileSize = channel.size();
        byte[] a = read(channel, PoolLayout.HEADER_A, PoolLayout.HEADER_SIZE);
        byte[] b = read(channel, PoolLayout.HEADER_B, PoolLayout.HEADER_SIZE);
        PoolHeader.Decoded da = PoolHeader.decode(a);
        // A valid A is what open trusts; B is then only compared with it byte for byte. One
        // checksum instead of two: a fresh JVM runs this interpreted, at about a millisecond a checksum.
        PoolHeader.Decoded db = da.valid() ? da : PoolHeader.decode(b);
        if (!da.magicOk() && !db.magicOk()) {
            throw new NotAPoolException(
                    path,
                    "the file is not a pool (no pool header found); check the path,"
                            + " or create a new pool at another path");
        }
        PoolHeader.Decoded chosen = da.valid() ? da : db;
        byte[] good = da.valid() ? a : b;
        if (!chosen.valid()) {
            if (fileSize < 2L * PoolLayout.HEADER_SIZE) {
                throw new PoolTruncatedException(
                        path,
                        "the file is too short to hold a pool header (" + fileSize
                                + " bytes); restore it from a backup, or delete it and create a new pool");
            }
            throw new PoolCorruptedException(
                    path,
                    "both copies of the pool header fail their checksum: the file is"
                            + " damaged; restore it from a backup, or delete it to start with an empty pool");
        }
        PoolHeader h = chosen.header();
        if (h.major() > PoolHeader.FORMAT_MAJOR || (h.incompatFlags() & ~PoolHeader.KNOWN_INCOMPAT) != 0) {
            throw new PoolFormatTooNewException(
                    path,
                    "the pool was written in format " + h.major() + "." + h.minor()
                            + " (incompatible features 0x" + Long.toHexString(h.incompatFlags())
                            + "), which this release"
                            + " (format " + PoolHeader.FORMAT_MAJOR + "." + PoolHeader.FORMAT_MINOR + ") cannot read;"
                            + " upgrade pmem-core to the release that wrote it");
        }
        if (expectedLayout != null && !expectedLayout.equals(h.layout())) {
            throw new PoolLayoutMismatchException(
                    path,
                    "the pool was created for layout '" + h.layout() + "', not '"
                            + expectedLayout + "'; open it with layout '" + h.layout()
                            + "', or use another pool path for '"
                            + expectedLayout + "'");
        }
        if (h.poolSize() < PoolLayout.MIN_POOL_SIZE
                || h.laneCount() < 1
                || h.laneCount() > 4096
                || h.maxSize() < h.poolSize()
                || h.initialSize() > h.poolSize()
                || (h.maxSize() > h.poolSize() && (h.incompatFlags() & PoolHeader.GROWABLE) == 0)) {
            throw new PoolCorruptedException(
                    path,
                    "the pool header holds impossible geometry (size " + h.poolSize() + ", maximum " + h.maxSize()
                            + ", lanes " + h.laneCount()
                            + "); restore the file from a backup, or delete it to start empty");
        }
        if (fileSize < h.poolSize()) {
            throw new PoolTruncatedException(
                    path,
                    "the file has " + fileSize + " bytes but its header records "
                            + h.poolSize()
                            + "; it was cut short (a partial copy or a full disk): restore it from a backup,"
                            + " or delete it and create a new pool");
        }
        if (fileSize > h.maxSize()) {
            throw new PoolCorruptedException(
                    path,
                    "the file has " + fileSize + " bytes but its header records " + h.poolSize()
                            + (h.maxSize() > h.poolSize() ? " (at most " + h.maxSize() + ")" : "")
                            + "; it was extended by something other than this library: restore it from a backup");
        }
        return new HeaderCopies(h, good, Arrays.equals(a, good), Arrays.equals(b, good));
    }

    /**
     * A file longer than its header says, up to the maximum, is a growth cut before its header
     * was written (or an open cut between mapping and trimming): the tail was never part of the
     * pool, so it goes, and the pool is the size its header records.
     */
    private static void trimCutGrowth(Path path, FileChannel channel, PoolHeader header) throws IOException {
        long fileSize = channel.size();
        if (fileSize > header.poolSize()) {
            channel.truncate(header.poolSize());
            channel.force(true);
            LOG.log(
                    System.Logger.Level.INFO,
                    "trimmed " + path + " from " + fileSize + " to " + header.poolSize()
                            + " bytes: a growth was cut before it completed");
        }
    }

    private static byte[] read(FileChannel channel, long at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, at + buffer.position()) < 0) {
                break;
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** Appends a problem for each header copy that does not hold the pool's header. */
    public synchronized void checkHeaders(java.util.List<String> problems) {
        byte[] a = segment.asSlice(PoolLayout.HEADER_A, PoolLayout.HEADER_SIZE).toArray(ValueLayout.JAVA_BYTE);
        byte[] b = segment.asSlice(PoolLayout.HEADER_B, PoolLayout.HEADER_SIZE).toArray(ValueLayout.JAVA_BYTE);
        boolean differs = false;
        for (long at : new long[] {PoolLayout.HEADER_A, PoolLayout.HEADER_B}) {
            // By fields against the pool's header: a later minor format's fields are unknown here.
            PoolHeader.Decoded copy = PoolHeader.decode(at == PoolLayout.HEADER_A ? a : b);
            if (!copy.valid() || !copy.header().equals(header)) {
                problems.add("offset " + at + ": header copy differs from the pool's header");
                differs = true;
            }
        }
        if (!differs && !Arrays.equals(a, b)) {
            // What the next open would repair: it rewrites copy B from copy A.
            problems.add("offset " + PoolLayout.HEADER_B + ": header copy differs from copy A in bytes this release"
                    + " does not read");
        }
    }

    /**
     * Rewrites a header copy that differs from the valid one (a torn header write) with the valid
     * one's bytes as read: fields a later minor format added, which this release does not know,
     * stay as that release wrote them (until this release grows the pool: a growth writes the
     * header from the fields it knows).
     */
    private void repairHeaderCopies(HeaderCopies copies) {
        if (!copies.aHoldsGood()) {
            rewriteHeaderCopy(PoolLayout.HEADER_A, copies.good());
        }
        if (!copies.bHoldsGood()) {
            rewriteHeaderCopy(PoolLayout.HEADER_B, copies.good());
        }
    }

    private void rewriteHeaderCopy(long at, byte[] good) {
        MemorySegment copy = segment.asSlice(at, good.length);
        copy.copyFrom(MemorySegment.ofArray(good));
        copy.force();
        headerRepaired = true;
    }

    @Override
    public synchronized void close() {
        // Not channel.isOpen(): an interrupt may have closed the channel, and the mapping, the
        // descriptor and the claim must go all the same.
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new PmemException(path, "cannot close the pool file cleanly: " + e, e);
        } finally {
            if (growable != null) {
                growable.close(); // after the lock went with the channel: closing it earlier would drop it
            }
            LockedFiles.release(identity);
        }
    }
}
