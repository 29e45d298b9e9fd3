package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Opening a pool that another process (or this one) already holds open; a pool has one owner at a time.
 */
public class PoolInUseException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolInUseException(Path path, String message) {
        super(path, message);
    }
}
