package dev.pmemspring.core;

import java.nio.file.Path;

/**
 * Opening a pool written by a newer release, in a format version or with features this release does not know.
 */
public class PoolFormatTooNewException extends PmemException {

    private static final long serialVersionUID = 1L;

    public PoolFormatTooNewException(Path path, String message) {
        super(path, message);
    }
}
