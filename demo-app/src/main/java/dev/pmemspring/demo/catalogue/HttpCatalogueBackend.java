package dev.pmemspring.demo.catalogue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * A remote catalogue over HTTP at {@code demo.backend.url}: {@code GET /products/{sku}},
 * {@code PUT /products/{sku}} and {@code GET /quotes/{sku}}, JSON bodies. Several instances of the
 * demo pointed at one such catalogue share its truth, which is what cache coherence keeps them to.
 */
@Component
@ConditionalOnExpression("!'${demo.backend.url:}'.isEmpty()")
public class HttpCatalogueBackend implements CatalogueBackend {

    private final RestClient http;
    private final AtomicLong productLookups = new AtomicLong();
    private final AtomicLong quoteLookups = new AtomicLong();

    public HttpCatalogueBackend(
            @Value("${demo.backend.url}") String url, @Value("${demo.backend.timeout:10s}") Duration timeout) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(timeout);
        requests.setReadTimeout(timeout);
        this.http = RestClient.builder().baseUrl(url).requestFactory(requests).build();
    }

    @Override
    public Product product(String sku) {
        productLookups.incrementAndGet();
        return http.get().uri("/products/{sku}", sku).retrieve().body(Product.class);
    }

    @Override
    public Quote quote(String sku) {
        quoteLookups.incrementAndGet();
        return http.get().uri("/quotes/{sku}", sku).retrieve().body(Quote.class);
    }

    @Override
    public Product update(String sku, String name, long priceCents) {
        Map<String, Object> body =
                name == null ? Map.of("priceCents", priceCents) : Map.of("name", name, "priceCents", priceCents);
        return http.put()
                .uri("/products/{sku}", sku)
                .contentType(MediaType.APPLICATION_JSON)
                .body(body)
                .retrieve()
                .body(Product.class);
    }

    @Override
    public long productLookups() {
        return productLookups.get();
    }

    @Override
    public long quoteLookups() {
        return quoteLookups.get();
    }
}
