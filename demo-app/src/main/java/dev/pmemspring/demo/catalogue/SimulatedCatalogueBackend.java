package dev.pmemspring.demo.catalogue;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;

/**
 * Stands in for a slow remote catalogue, inside this process: every lookup sleeps (200 ms unless
 * {@code demo.backend.latency} says otherwise) and is counted, so a caller can tell a cache hit
 * from a back-end call. Items are made up from their SKU; an update is kept in memory, as a remote
 * service would keep it on its side. Used unless {@code demo.backend.url} names a real one.
 */
@Component
@ConditionalOnExpression("'${demo.backend.url:}'.isEmpty()")
public class SimulatedCatalogueBackend implements CatalogueBackend {

    private final Duration latency;
    private final AtomicLong productLookups = new AtomicLong();
    private final AtomicLong quoteLookups = new AtomicLong();
    private final ConcurrentHashMap<String, Product> updated = new ConcurrentHashMap<>();

    public SimulatedCatalogueBackend(@Value("${demo.backend.latency:200ms}") Duration latency) {
        this.latency = latency;
    }

    @Override
    public Product product(String sku) {
        productLookups.incrementAndGet();
        pause();
        Product changed = updated.get(sku);
        return changed != null ? changed : madeUp(sku);
    }

    @Override
    public Quote quote(String sku) {
        quoteLookups.incrementAndGet();
        pause();
        int h = Math.floorMod(sku.hashCode(), 1000);
        return new Quote(sku, 299 + h, 1 + h % 5, Instant.now());
    }

    @Override
    public Product update(String sku, String name, long priceCents) {
        Product before = updated.getOrDefault(sku, madeUp(sku));
        Product after = new Product(sku, name != null ? name : before.name(), priceCents, before.revision() + 1);
        updated.put(sku, after);
        return after;
    }

    @Override
    public long productLookups() {
        return productLookups.get();
    }

    @Override
    public long quoteLookups() {
        return quoteLookups.get();
    }

    private static Product madeUp(String sku) {
        int h = Math.floorMod(sku.hashCode(), 4_800);
        return new Product(sku, "Item " + sku.toUpperCase(Locale.ROOT), 199 + h, 1);
    }

    private void pause() {
        try {
            Thread.sleep(latency);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the back end", e);
        }
    }
}
