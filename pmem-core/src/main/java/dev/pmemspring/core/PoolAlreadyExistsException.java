package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Creating a pool where a file already exists; open it instead, or remove it first.
 */
public class PoolAlreadyExistsException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolAlreadyExistsException(Path path, String message) {
        super(path, message);
    }
}
