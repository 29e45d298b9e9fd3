package dev.pmemspring.boot.autoconfigure.cache.app;

import java.io.Serializable;

/** A value class of "the application": its package is the auto-configuration package in the tests. */
public record Order(long id, String item) implements Serializable {}
