package dev.pmemspring.demo.catalogue;

import java.io.Serializable;

/** A catalogue item as the back end describes it. Serializable: the cache stores it in the pool. */
public record Product(String sku, String name, long priceCents, int revision) implements Serializable {}
