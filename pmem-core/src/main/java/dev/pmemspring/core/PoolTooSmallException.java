package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Creating a pool below the minimum size, or opening a file too short to hold a pool's headers.
 */
public class PoolTooSmallException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolTooSmallException(Path path, String message) {
        super(path, message);
    }
}
