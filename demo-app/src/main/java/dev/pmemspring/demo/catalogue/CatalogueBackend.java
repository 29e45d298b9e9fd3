package dev.pmemspring.demo.catalogue;

/**
 * The slow system of record behind the caches. Every call is counted, so a caller can tell a cache
 * hit from a back-end call ({@code GET /backend}).
 */
public interface CatalogueBackend {

    Product product(String sku);

    Quote quote(String sku);

    /** Changes an item; {@code name} null keeps the old one. */
    Product update(String sku, String name, long priceCents);

    /** Product lookups this process made. */
    long productLookups();

    /** Quote lookups this process made. */
    long quoteLookups();
}
