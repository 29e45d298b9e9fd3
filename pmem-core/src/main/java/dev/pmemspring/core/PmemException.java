package dev.pmemspring.core;

import org.jspecify.annotations.Nullable;

import java.nio.file.Path;

/**
 * Base of every failure the pool reports. Each subclass names one cause, and its message says
 * what happened and what to do, so a caller (or a Spring Boot failure analyzer) can act on the type
 * and show the message as it is.
 */
public class PmemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient @Nullable Path path;

    public PmemException(@Nullable Path path, String message) {
        this(path, message, null);
    }

    public PmemException(@Nullable Path path, String message, @Nullable Throwable cause) {
        super(path == null ? message : "pool " + path + ": " + message, cause);
        this.path = path;
    }

    /** The pool file concerned, or {@code null} when the failure concerns no file. */
    public @Nullable Path path() {
        return path;
    }
}
