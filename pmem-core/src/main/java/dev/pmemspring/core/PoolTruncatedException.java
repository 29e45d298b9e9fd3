package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Opening a pool file that is shorter than the size its header records (cut by a copy or a full disk).
 */
public class PoolTruncatedException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolTruncatedException(Path path, String message) {
        super(path, message);
    }
}
