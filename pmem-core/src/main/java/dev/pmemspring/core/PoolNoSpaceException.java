package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Creating a pool file on a file system without room for all of it.
 */
public class PoolNoSpaceException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolNoSpaceException(Path path, String message) {
        super(path, message);
    }
}
