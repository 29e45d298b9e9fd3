package dev.pmemspring.demo.catalogue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /products/{sku}}, {@code /quotes/{sku}} and {@code /backend}, the back end's call counters. */
@RestController
public class CatalogueController {

    private final CatalogueService catalogue;
    private final CatalogueBackend backend;

    public CatalogueController(CatalogueService catalogue, CatalogueBackend backend) {
        this.catalogue = catalogue;
        this.backend = backend;
    }

    @GetMapping("/products/{sku}")
    public Product product(@PathVariable String sku) {
        return catalogue.product(sku);
    }

    /** Body: {@code {"name": "...", "priceCents": 1234}}; the name may be left out. */
    @PutMapping("/products/{sku}")
    public Product update(@PathVariable String sku, @RequestBody ProductUpdate update) {
        return catalogue.update(sku, update.name(), update.priceCents());
    }

    @GetMapping("/quotes/{sku}")
    public CompletableFuture<Quote> quote(@PathVariable String sku) {
        return catalogue.quote(sku);
    }

    /** How often this process called the back end (counters start at 0 with the process). */
    @GetMapping("/backend")
    public Map<String, Long> backend() {
        return Map.of(
                "productLookups",
                backend.productLookups(),
                "quoteLookups",
                backend.quoteLookups(),
                "calls",
                backend.productLookups() + backend.quoteLookups());
    }

    public record ProductUpdate(String name, long priceCents) {}
}
