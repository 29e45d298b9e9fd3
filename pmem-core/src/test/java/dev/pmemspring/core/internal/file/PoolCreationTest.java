package dev.pmemspring.core.internal.file;

import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.internal.heap.Heap;
import dev.pmemspring.core.internal.memory.MappedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The order of the name changes of a pool's creation, and what a power cut between them leaves.
 * A real power cut cannot be had in a test; {@link CutFolder} stands in for the folder: it keeps
 * what its last sync made durable, and at a cut offers every state the disk may then hold (the
 * synced names plus any subset of the changes made since).
 */
class PoolCreationTest {

    private static final long SIZE = 16L << 20;
    private static final PoolOptions OPTIONS = PoolOptions.layout("names").withSize(SIZE);
    private static final Consumer<PoolFile.MappedFormat> FORMAT =
            f -> Heap.format(new MappedMemory(f.segment(), false), f.layout());

    @TempDir
    Path dir;

    @Test
    void the_folder_is_synced_after_the_link_and_after_the_removal_in_that_order() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("pools"));
        Path pool = folder.resolve("p.pool");
        List<String> steps = new ArrayList<>();
        FileNames recording = new FileNames() {
            @Override
            public void link(Path file, Path target) throws IOException {
                steps.add("link " + kind(file) + " as " + kind(target));
                FileNames.system().link(file, target);
            }

            @Override
            public void remove(Path file) throws IOException {
                steps.add("remove " + kind(file));
                FileNames.system().remove(file);
            }

            @Override
            public void syncFolder(Path f) throws IOException {
                steps.add("sync " + (f.equals(folder) ? "folder" : f));
                FileNames.system().syncFolder(f);
            }
        };

        PoolFile.create(pool, "names", SIZE, FORMAT, recording);

        assertThat(steps).containsExactly("link temporary as pool", "sync folder", "remove temporary", "sync folder");
        assertThat(names(folder)).containsExactly("p.pool");
        try (PmemPool opened = PmemPool.open(pool, OPTIONS)) {
            assertThat(opened.check().clean()).isTrue();
        }
    }

    @Test
    void a_cut_at_any_step_leaves_no_pool_or_a_whole_one_and_after_the_first_sync_always_the_pool() throws IOException {
        for (int cutBefore = 0; cutBefore <= 4; cutBefore++) {
            Path work = Files.createDirectory(dir.resolve("cut-" + cutBefore));
            Path folder = Files.createDirectory(work.resolve("pools"));
            CutFolder names = new CutFolder(folder, work, cutBefore);
            try {
                PoolFile.create(folder.resolve("p.pool"), "names", SIZE, FORMAT, names);
                assertThat(cutBefore).as("create returned only without a cut").isEqualTo(4);
            } catch (PowerCut expected) {
                assertThat(cutBefore).isLessThan(4);
            }
            List<Set<String>> states = names.statesAfterTheCut();
            assertThat(states).isNotEmpty();
            int v = 0;
            for (Set<String> state : states) {
                Path after = names.materialise(state, work.resolve("after-" + v++));
                Path pool = after.resolve("p.pool");
                boolean hadPool = Files.exists(pool);
                if (cutBefore >= 2) {
                    assertThat(hadPool)
                            .as("cut before step %d, disk holds %s: the name was synced", cutBefore, state)
                            .isTrue();
                }
                // The service's next start: open what is there, or create anew; never half a pool.
                try (PmemPool reopened = PmemPool.openOrCreate(pool, OPTIONS)) {
                    assertThat(reopened.check().clean())
                            .as("cut before step %d, disk holds %s", cutBefore, state)
                            .isTrue();
                    reopened.root(8).putLong(0, 42);
                }
                assertThat(names(after))
                        .as("no temporary file survives the next start (%s)", state)
                        .containsExactly("p.pool");
            }
        }
    }

    @Test
    void a_temporary_file_left_before_the_link_is_removed_at_the_next_create() throws IOException {
        Path pool = dir.resolve("p.pool");
        Files.write(dir.resolve(".p.pool.creating-1b7e"), new byte[4096]);
        Files.writeString(dir.resolve(".other.pool.creating-1b7e"), "not ours");

        PmemPool.create(pool, OPTIONS).close();

        assertThat(names(dir)).containsExactlyInAnyOrder("p.pool", ".other.pool.creating-1b7e");
    }

    @Test
    void a_second_name_left_after_the_link_is_removed_at_the_next_open_and_the_pool_opens_whole() throws IOException {
        Path pool = dir.resolve("p.pool");
        try (PmemPool created = PmemPool.create(pool, OPTIONS)) {
            created.root(8).putLong(0, 7);
        }
        Files.createLink(dir.resolve(".p.pool.creating-5c2d"), pool);

        try (PmemPool opened = PmemPool.open(pool, OPTIONS)) {
            assertThat(opened.root(8).getLong(0)).isEqualTo(7);
            assertThat(names(dir)).containsExactly("p.pool");
        }
    }

    @Test
    void a_temporary_file_is_never_opened_as_a_pool() throws IOException {
        Path pool = dir.resolve("p.pool");
        PmemPool.create(pool, OPTIONS).close();
        Files.createLink(dir.resolve(".q.pool.creating-77"), pool);
        Path missing = dir.resolve("q.pool");

        assertThatThrownBy(() -> PmemPool.open(missing, OPTIONS)).hasMessageContaining("no such pool file");
        try (PmemPool created = PmemPool.openOrCreate(missing, OPTIONS)) {
            assertThat(created.info().uuid()).isNotEqualTo(infoOf(pool));
        }
        assertThat(names(dir)).containsExactlyInAnyOrder("p.pool", "q.pool");
    }

    private static java.util.UUID infoOf(Path pool) {
        try (PmemPool p = PmemPool.open(pool, OPTIONS)) {
            return p.info().uuid();
        }
    }

    private static String kind(Path p) {
        return p.getFileName().toString().contains(".creating-") ? "temporary" : "pool";
    }

    static Set<String> names(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return new TreeSet<>(entries.map(e -> e.getFileName().toString()).toList());
        }
    }

    /** Thrown by {@link CutFolder} in place of the step it cuts. */
    static final class PowerCut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PowerCut(int step) {
            super("power cut before step " + step);
        }
    }

    /**
     * The real file system's operations, with a power cut before step {@code cutBefore}. It keeps
     * hard links to the folder's entries as of its last sync and as of the cut, so that every
     * state the disk may hold afterwards can be rebuilt with the same files.
     */
    static final class CutFolder implements FileNames {

        private final Path folder;
        private final Path work;
        private final int cutBefore;
        private int step;
        private Set<String> synced;
        private Path syncedCopy;
        private Set<String> atCut;
        private Path cutCopy;

        CutFolder(Path folder, Path work, int cutBefore) throws IOException {
            this.folder = folder;
            this.work = work;
            this.cutBefore = cutBefore;
            this.synced = names(folder);
            this.syncedCopy = snapshot("synced-initial");
        }

        @Override
        public void link(Path file, Path target) throws IOException {
            cutHere();
            FileNames.system().link(file, target);
        }

        @Override
        public void remove(Path file) throws IOException {
            cutHere();
            FileNames.system().remove(file);
        }

        @Override
        public void syncFolder(Path f) throws IOException {
            int s = step;
            cutHere();
            FileNames.system().syncFolder(f);
            synced = names(folder);
            syncedCopy = snapshot("synced-" + s);
        }

        private void cutHere() throws IOException {
            if (step++ == cutBefore) {
                atCut = names(folder);
                cutCopy = snapshot("cut");
                throw new PowerCut(cutBefore);
            }
        }

        private Path snapshot(String name) throws IOException {
            Path copy = Files.createDirectory(work.resolve(name));
            for (String entry : names(folder)) {
                Files.createLink(copy.resolve(entry), folder.resolve(entry));
            }
            return copy;
        }

        /** The synced names, plus every subset of the names added and removed since the sync. */
        List<Set<String>> statesAfterTheCut() throws IOException {
            Set<String> now = atCut != null ? atCut : names(folder);
            List<String> changes = new ArrayList<>();
            for (String n : now) {
                if (!synced.contains(n)) {
                    changes.add(n);
                }
            }
            for (String n : synced) {
                if (!now.contains(n)) {
                    changes.add(n);
                }
            }
            List<Set<String>> states = new ArrayList<>();
            for (int mask = 0; mask < 1 << changes.size(); mask++) {
                Set<String> state = new HashSet<>(synced);
                for (int i = 0; i < changes.size(); i++) {
                    if ((mask & 1 << i) != 0) {
                        String n = changes.get(i);
                        if (!state.add(n)) {
                            state.remove(n);
                        }
                    }
                }
                states.add(state);
            }
            return states;
        }

        /** A folder holding {@code state}'s names, each the same file it was before the cut. */
        Path materialise(Set<String> state, Path into) throws IOException {
            Files.createDirectory(into);
            for (String n : state) {
                Path from = cutCopy != null && Files.exists(cutCopy.resolve(n))
                        ? cutCopy.resolve(n)
                        : syncedCopy.resolve(n);
                Files.createLink(into.resolve(n), from);
            }
            return into;
        }
    }
}
