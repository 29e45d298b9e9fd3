package dev.pmemspring.bench;

import java.io.Serial;
import java.io.Serializable;

/**
 * The value the cache benchmark caches: what a {@code @Cacheable} lookup of a catalogue service
 * typically returns, a small immutable record. Its fields hold about 100 bytes of data (two
 * longs, an int, a 12-character SKU and a name of about 60 characters); JDK serialization, the
 * default of every serializing store in the benchmark, writes {@link #SERIALIZED_SIZE} bytes for
 * it, class descriptor included.
 */
public record Product(long id, String sku, String name, long priceCents, int stock) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** JDK-serialized size of {@link #sample}, checked by the benchmark's set-up. */
    static final int SERIALIZED_SIZE = 212;

    /** A product whose content depends on {@code index} and {@code variant}, its size does not. */
    static Product sample(long index, int variant) {
        String sku = String.format("SKU-%08d", index % 100_000_000L);
        String name = String.format(
                "Stainless steel water bottle, 750 ml, model %06d, rev %04d", index % 1_000_000L, variant % 10_000);
        return new Product(index, sku, name, 1_999 + index % 5_000, (int) (index % 977) + variant);
    }
}
