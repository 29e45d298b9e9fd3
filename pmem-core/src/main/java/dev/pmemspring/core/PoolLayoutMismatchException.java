package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Opening a pool created for another layout (application) than the one asked for.
 */
public class PoolLayoutMismatchException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolLayoutMismatchException(Path path, String message) {
        super(path, message);
    }
}
