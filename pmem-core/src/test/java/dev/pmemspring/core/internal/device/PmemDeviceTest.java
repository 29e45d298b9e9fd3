package dev.pmemspring.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.FlushMethod;
import dev.pmemspring.core.MappingMode;
import dev.pmemspring.core.PersistenceDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistence domain and dirty shutdown count, read from sysfs trees laid out as the kernel does. */
class PmemDeviceTest {

    @TempDir
    Path dir;

    @Test
    void eadrOrCxlGpfIsTheCpuCacheDomain() throws Exception {
        FakeSysfs sys = new FakeSysfs(dir);
        sys.region(0, "cpu_cache", 259, 0, 1);
        sys.dirtyShutdowns("nmem0", 7);
        assertThat(PmemDevice.of(dir, 259, 0)).isEqualTo(new PmemDevice(PersistenceDomain.CPU_CACHE, "region0", 7));
    }

    @Test
    void adrIsTheMemoryControllerDomainAndTheCountsOfItsDimmsAdd() throws Exception {
        FakeSysfs sys = new FakeSysfs(dir);
        sys.region(1, "memory_controller", 259, 3, 2);
        sys.dirtyShutdowns("nmem10", 2);
        sys.dirtyShutdowns("nmem11", 5);
        assertThat(PmemDevice.of(dir, 259, 3))
                .isEqualTo(new PmemDevice(PersistenceDomain.MEMORY_CONTROLLER, "region1", 7));
    }

    @Test
    void aPartitionIsFoundThroughItsDisk() throws Exception {
        FakeSysfs sys = new FakeSysfs(dir);
        Path region = sys.region(0, "cpu_cache", 259, 0, 1);
        Path partition = region.resolve("namespace0.0/block/pmem0/pmem0p1");
        Files.createDirectories(partition);
        Files.createSymbolicLink(
                dir.resolve("dev/block/259:1"), dir.resolve("dev/block").relativize(partition));
        assertThat(PmemDevice.of(dir, 259, 1).domain()).isEqualTo(PersistenceDomain.CPU_CACHE);
    }

    @Test
    void anEmptyDomainOrAnUnreportedCountIsUnknown() throws Exception {
        FakeSysfs sys = new FakeSysfs(dir);
        sys.region(0, "", 259, 0, 2);
        sys.dirtyShutdowns("nmem0", 1); // nmem1 reports none: the sum would be wrong
        assertThat(PmemDevice.of(dir, 259, 0)).isEqualTo(new PmemDevice(PersistenceDomain.UNKNOWN, "region0", -1));
    }

    @Test
    void aCountThatIsNotANumberIsUnknown() throws Exception {
        FakeSysfs sys = new FakeSysfs(dir);
        sys.region(0, "memory_controller", 259, 0, 1);
        Files.writeString(dir.resolve("bus/nd/devices/nmem0/nfit/dirty_shutdown"), "garbage\n");
        assertThat(PmemDevice.of(dir, 259, 0).dirtyShutdowns()).isEqualTo(-1);
    }

    @Test
    void aDeviceThatIsNoRegionOrNoSysfsAtAllReportsNothing() throws Exception {
        Path disk = dir.resolve("devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda");
        Files.createDirectories(disk);
        Files.createDirectories(dir.resolve("dev/block"));
        Files.createSymbolicLink(
                dir.resolve("dev/block/8:0"), dir.resolve("dev/block").relativize(disk));
        assertThat(PmemDevice.of(dir, 8, 0)).isEqualTo(PmemDevice.NONE);
        assertThat(PmemDevice.of(dir, 0, 42)).isEqualTo(PmemDevice.NONE); // tmpfs: no block device
        assertThat(PmemDevice.of(dir.resolve("absent"), 259, 0)).isEqualTo(PmemDevice.NONE);
    }

    @Test
    void theFileOfATestRunsOnNoPersistentMemory() throws Exception {
        Path file = Files.createFile(dir.resolve("f"));
        assertThat(PmemDevice.of(file).domain()).isEqualTo(PersistenceDomain.UNKNOWN);
    }

    @Test
    void devNumbersDecodeAsGlibcEncodesThem() {
        // makedev(259, 1) and makedev(4095 + 4096, 255 + 256 * 3)
        assertThat(PmemDevice.major((259L << 8) | 1)).isEqualTo(259);
        assertThat(PmemDevice.minor((259L << 8) | 1)).isEqualTo(1);
        long major = 8191;
        long minor = 1023;
        long dev = ((major & 0xfff) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xff) | ((minor & ~0xffL) << 12);
        assertThat(PmemDevice.major(dev)).isEqualTo(major);
        assertThat(PmemDevice.minor(dev)).isEqualTo(minor);
    }

    @Test
    void theCheapestSafeFlushFollowsTheDomain() {
        assertThat(FlushMethod.of(Durability.SYNC, MappingMode.DAX_SYNC, PersistenceDomain.CPU_CACHE))
                .isEqualTo(FlushMethod.FENCE);
        assertThat(FlushMethod.of(Durability.SYNC, MappingMode.DAX_SYNC, PersistenceDomain.MEMORY_CONTROLLER))
                .isEqualTo(FlushMethod.CACHE_WRITE_BACK);
        assertThat(FlushMethod.of(Durability.SYNC, MappingMode.DAX_SYNC, PersistenceDomain.UNKNOWN))
                .isEqualTo(FlushMethod.CACHE_WRITE_BACK);
        // page cache: the domain of the device below does not make the page cache persistent
        assertThat(FlushMethod.of(Durability.SYNC, MappingMode.SHARED, PersistenceDomain.CPU_CACHE))
                .isEqualTo(FlushMethod.MSYNC);
        assertThat(FlushMethod.of(Durability.PROCESS, MappingMode.SHARED, PersistenceDomain.UNKNOWN))
                .isEqualTo(FlushMethod.FENCE);
    }
}
