package dev.pmemspring.demo.catalogue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * The catalogue as the controllers see it: the back end behind the {@code products} and
 * {@code quotes} caches, whose settings (time-to-live, bounds, heap tier) live in
 * {@code application.yml}.
 */
@Service
public class CatalogueService {

    private final CatalogueBackend backend;
    private final Executor executor;

    public CatalogueService(CatalogueBackend backend, @Qualifier("backendExecutor") Executor executor) {
        this.backend = backend;
        this.executor = executor;
    }

    @Cacheable("products")
    public Product product(String sku) {
        return backend.product(sku);
    }

    /**
     * An asynchronous lookup: Spring reads the {@code quotes} cache through {@code Cache.retrieve}
     * and, on a miss, caches the future's value when it completes.
     */
    @Cacheable("quotes")
    public CompletableFuture<Quote> quote(String sku) {
        return CompletableFuture.supplyAsync(() -> backend.quote(sku), executor);
    }

    /** Changes the item at the back end and drops the cached copy; the next read loads the new one. */
    @CacheEvict(cacheNames = "products", key = "#sku")
    public Product update(String sku, String name, long priceCents) {
        return backend.update(sku, name, priceCents);
    }
}
