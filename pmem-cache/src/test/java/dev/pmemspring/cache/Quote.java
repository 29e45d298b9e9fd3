package dev.pmemspring.cache;

import java.io.Serializable;
import java.math.BigDecimal;

/** A value type as applications cache them. */
public record Quote(String symbol, BigDecimal price) implements Serializable {}
