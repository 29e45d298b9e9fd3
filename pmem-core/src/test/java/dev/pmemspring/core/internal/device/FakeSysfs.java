package dev.pmemspring.core.internal.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sysfs tree with one persistent-memory region, laid out as the kernel's libnvdimm lays it out:
 * {@code dev/block/MAJ:MIN} links to {@code devices/.../ndbus0/regionN/namespaceN.0/block/pmemN},
 * the region names its DIMMs in {@code mappingN}, and each DIMM
 * ({@code bus/nd/devices/nmemN}, a link into {@code devices}) reports {@code nfit/dirty_shutdown}.
 */
public final class FakeSysfs {

    private final Path root;

    public FakeSysfs(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Region {@code region} on DIMMs {@code 0..dimms-1}, whose block device is {@code major:minor}. */
    public Path region(int region, String persistenceDomain, long major, long minor, int dimms) throws IOException {
        Path bus = root.resolve("devices/platform/ACPI0012:00/ndbus0");
        Path dir = bus.resolve("region" + region);
        Path block = dir.resolve("namespace" + region + ".0/block/pmem" + region);
        Files.createDirectories(block);
        Files.writeString(dir.resolve("persistence_domain"), persistenceDomain + "\n");
        link(root.resolve("dev/block/" + major + ":" + minor), block);
        for (int d = 0; d < dimms; d++) {
            String dimm = "nmem" + (region * 10 + d);
            Files.writeString(dir.resolve("mapping" + d), dimm + ",0,1073741824," + d + "\n");
            Path dimmDir = bus.resolve(dimm);
            Files.createDirectories(dimmDir.resolve("nfit"));
            link(root.resolve("bus/nd/devices/" + dimm), dimmDir);
        }
        return dir;
    }

    /**
     * Region 0 on one DIMM ({@code nmem0}) as the device of the real file system holding
     * {@code file}, so a pool opened there with {@code -Dpmem.sysfs} set to {@link #root()} reads it.
     */
    public Path regionUnder(Path file, String persistenceDomain) throws IOException {
        long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
        return region(0, persistenceDomain, PmemDevice.major(dev), PmemDevice.minor(dev), 1);
    }

    /** Sets DIMM {@code dimm}'s dirty shutdown count (family {@code nfit}). */
    public void dirtyShutdowns(String dimm, long count) throws IOException {
        Files.writeString(root.resolve("bus/nd/devices/" + dimm + "/nfit/dirty_shutdown"), count + "\n");
    }

    private static void link(Path link, Path target) throws IOException {
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, link.getParent().relativize(target));
    }
}
