package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * A file system without room for a pool: when creating its file, or when growing it. A growth
 * refused this way fails nothing by itself: the pool goes on at its size, and an allocation that
 * then finds no space throws {@link PoolOutOfMemoryException} with this as its cause.
 */
public class PoolNoSpaceException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolNoSpaceException(Path path, String message) {
        super(path, message);
    }
}
