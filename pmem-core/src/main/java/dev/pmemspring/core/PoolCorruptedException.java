package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Opening a pool whose metadata fails validation: both header copies fail their checksum, or the heap\n * metadata is inconsistent. The file is left untouched.
 */
public class PoolCorruptedException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolCorruptedException(Path path, String message) {
        super(path, message);
    }
}
