package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Opening a file that is not a pool: its header has no pool magic in either copy.
 */
public class NotAPoolException extends PmemException {

    private static final long serialVersionUID = 1L;

    public NotAPoolException(Path path, String message) {
        super(path, message);
    }
}
