package dev.pmemspring.core.internal.device;

import dev.pmemspring.core.PersistenceDomain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What Linux says about the persistent-memory device under a pool file, read from sysfs: the
 * region's persistence domain and its DIMMs' dirty shutdown counts (how often a DIMM lost power
 * without flushing what it had accepted, PMDK's "unsafe shutdown count").
 *
 * <p>The file's block device ({@code /sys/dev/block/MAJOR:MINOR}) links into the device tree; the
 * nearest parent holding {@code persistence_domain} is its region, and the region's
 * {@code mappingN} attributes name its DIMMs ({@code nmemN}), each with a {@code dirty_shutdown}
 * count under its family's folder ({@code nfit}, {@code papr}, ...). Anything missing or unreadable
 * means "not reported": a file on tmpfs, a disk or a kernel that says nothing gets
 * {@link PersistenceDomain#UNKNOWN} and no count, never an error.
 *
 * @param domain the region's persistence domain
 * @param region the region's name ({@code region0}), or null when the file is not on one
 * @param dirtyShutdowns the sum of the region's DIMMs' dirty shutdown counts, or -1 when not every
 *        DIMM reports one
 */
public record PmemDevice(PersistenceDomain domain, String region, long dirtyShutdowns) {

    /** The system property that moves the sysfs root (containers that mount it elsewhere, tests). */
    public static final String SYSFS_PROPERTY = "pmem.sysfs";

    static final PmemDevice NONE = new PmemDevice(PersistenceDomain.UNKNOWN, null, -1);

    /** The device under {@code file}, read from the sysfs at {@code -Dpmem.sysfs} or {@code /sys}. */
    public static PmemDevice of(Path file) {
        Path sysfs = Path.of(System.getProperty(SYSFS_PROPERTY, "/sys"));
        long dev;
        try {
            dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return NONE; // not a POSIX file system view: nothing to read
        }
        return of(sysfs, major(dev), minor(dev));
    }

    /** The device of block device {@code major:minor} as the sysfs at {@code sysfs} describes it. */
    static PmemDevice of(Path sysfs, long major, long minor) {
        Path block = sysfs.resolve("dev/block/" + major + ":" + minor);
        Path region;
        try {
            region = regionOf(block.toRealPath());
        } catch (IOException | SecurityException e) {
            return NONE;
        }
        if (region == null) {
            return NONE;
        }
        PersistenceDomain domain =
                switch (read(region.resolve("persistence_domain")).toLowerCase(Locale.ROOT)) {
                    case "cpu_cache" -> PersistenceDomain.CPU_CACHE;
                    case "memory_controller" -> PersistenceDomain.MEMORY_CONTROLLER;
                    default -> PersistenceDomain.UNKNOWN;
                };
        return new PmemDevice(domain, region.getFileName().toString(), dirtyShutdowns(sysfs, region));
    }

    /** The nearest folder at or above {@code device} that holds a region's persistence domain. */
    private static Path regionOf(Path device) {
        for (Path p = device; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("persistence_domain"))) {
                return p;
            }
        }
        return null;
    }

    private static long dirtyShutdowns(Path sysfs, Path region) {
        List<String> dimms = new ArrayList<>();
        try (DirectoryStream<Path> mappings = Files.newDirectoryStream(region, "mapping[0-9]*")) {
            for (Path mapping : mappings) {
                // "nmem0,0,1073741824,0": the DIMM, its offset, length and position
                String dimm = read(mapping).split(",", 2)[0];
                if (!dimm.isEmpty()) {
                    dimms.add(dimm);
                }
            }
        } catch (IOException | SecurityException e) {
            return -1;
        }
        if (dimms.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (String dimm : dimms) {
            long count = dimmDirtyShutdowns(sysfs.resolve("bus/nd/devices").resolve(dimm));
            if (count < 0) {
                return -1;
            }
            sum += count;
        }
        return sum;
    }

    /** The DIMM's count from whichever family folder reports it ({@code nfit/dirty_shutdown}, ...), or -1. */
    private static long dimmDirtyShutdowns(Path dimm) {
        try (DirectoryStream<Path> families = Files.newDirectoryStream(dimm, Files::isDirectory)) {
            for (Path family : families) {
                Path count = family.resolve("dirty_shutdown");
                if (Files.isRegularFile(count)) {
                    return Long.parseLong(read(count));
                }
            }
        } catch (IOException | SecurityException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException | SecurityException e) {
            return "";
        }
    }

    // glibc's encoding of dev_t
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xffff_f000L);
    }

    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xffff_ff00L);
    }
}
