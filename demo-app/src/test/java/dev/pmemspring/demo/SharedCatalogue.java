package dev.pmemspring.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;

/**
 * The remote catalogue several demo instances share ({@code --demo.backend.url}), in the test JVM
 * on a loopback port: the truth every instance's cache must come back to. Items are made up from
 * their SKU until updated; each update raises the revision.
 */
final class SharedCatalogue implements AutoCloseable {

    private final HttpServer server;
    private final ConcurrentHashMap<String, Map<String, Object>> products = new ConcurrentHashMap<>();
    private final AtomicLong lookups = new AtomicLong();

    private SharedCatalogue(HttpServer server) {
        this.server = server;
    }

    static SharedCatalogue start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            SharedCatalogue catalogue = new SharedCatalogue(server);
            server.createContext("/products/", catalogue::products);
            server.createContext("/quotes/", catalogue::quotes);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return catalogue;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The item as the catalogue holds it now. */
    Map<String, Object> product(String sku) {
        return products.computeIfAbsent(sku, SharedCatalogue::madeUp);
    }

    long revision(String sku) {
        return ((Number) product(sku).get("revision")).longValue();
    }

    long lookups() {
        return lookups.get();
    }

    private void products(HttpExchange exchange) throws IOException {
        String sku = exchange.getRequestURI().getPath().substring("/products/".length());
        Map<String, Object> answer;
        if ("PUT".equals(exchange.getRequestMethod())) {
            JsonNode body = DemoProcess.JSON.readTree(exchange.getRequestBody().readAllBytes());
            answer = products.compute(sku, (k, before) -> {
                Map<String, Object> was = before != null ? before : madeUp(k);
                Map<String, Object> now = new LinkedHashMap<>(was);
                if (body.hasNonNull("name")) {
                    now.put("name", body.get("name").asString());
                }
                now.put("priceCents", body.get("priceCents").asLong());
                now.put("revision", ((Number) was.get("revision")).intValue() + 1);
                return now;
            });
        } else {
            lookups.incrementAndGet();
            answer = product(sku);
        }
        reply(exchange, answer);
    }

    private void quotes(HttpExchange exchange) throws IOException {
        String sku = exchange.getRequestURI().getPath().substring("/quotes/".length());
        lookups.incrementAndGet();
        int h = Math.floorMod(sku.hashCode(), 1000);
        reply(
                exchange,
                Map.of(
                        "sku",
                        sku,
                        "shippingCents",
                        299 + h,
                        "days",
                        1 + h % 5,
                        "quotedAt",
                        Instant.now().toString()));
    }

    private static void reply(HttpExchange exchange, Map<String, Object> body) throws IOException {
        byte[] bytes = DemoProcess.JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, Object> madeUp(String sku) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sku", sku);
        p.put("name", "Item " + sku);
        p.put("priceCents", 199 + Math.floorMod(sku.hashCode(), 4_800));
        p.put("revision", 1);
        return p;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
