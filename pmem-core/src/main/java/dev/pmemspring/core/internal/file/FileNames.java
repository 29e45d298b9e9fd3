package dev.pmemspring.core.internal.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The changes of names that a pool file depends on, and the folder sync that makes them durable.
 * On Linux a new or removed name reaches the disk only when its folder is forced, whatever was
 * forced about the file itself; so every caller follows a name change by {@link #syncFolder}.
 * Tests replace {@link #system()} with a double that records the order or cuts it.
 */
public interface FileNames {

    /** Gives the complete file {@code file} the name {@code target}; fails if that name is taken. */
    void link(Path file, Path target) throws IOException;

    /** Removes the name {@code file}, if it still exists. */
    void remove(Path file) throws IOException;

    /** Forces the folder's entries to the disk; logs once where the platform cannot. */
    void syncFolder(Path folder) throws IOException;

    /** The file system's own operations. */
    static FileNames system() {
        return Platform.INSTANCE;
    }

    /** The default: hard links where the file system has them, else an atomic rename. */
    final class Platform implements FileNames {

        private static final Platform INSTANCE = new Platform();
        private static final System.Logger LOG = System.getLogger(FileNames.class.getName());
        private static final AtomicBoolean WARNED = new AtomicBoolean();

        private Platform() {}

        @Override
        public void link(Path file, Path target) throws IOException {
            try {
                Files.createLink(target, file);
            } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
                if (noHardLinks instanceof FileAlreadyExistsException exists) {
                    throw exists;
                }
                // Unlike the link, a rename replaces a file that appeared at target meanwhile; only
                // file systems without hard links come here.
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }

        @Override
        public void remove(Path file) throws IOException {
            Files.deleteIfExists(file);
        }

        @Override
        public void syncFolder(Path folder) throws IOException {
            try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException | UnsupportedOperationException refused) {
                // Windows cannot open a folder, and some file systems refuse fsync on one: the
                // names then reach the disk when the platform decides. Say so once, not per pool.
                if (WARNED.compareAndSet(false, true)) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "cannot sync folder " + folder + " (" + refused
                                    + "): a pool's name may not survive a power cut right after the pool was created");
                }
            }
        }
    }
}
