package dev.pmemspring.demo.catalogue;

import java.io.Serializable;
import java.time.Instant;

/** A delivery quote for one item, valid for a short time (its cache has a short time-to-live). */
public record Quote(String sku, long shippingCents, int days, Instant quotedAt) implements Serializable {}
