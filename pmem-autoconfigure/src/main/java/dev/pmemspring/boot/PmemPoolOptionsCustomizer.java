package dev.pmemspring.boot;

import dev.pmemspring.core.PoolOptions;

/**
 * Adjusts the options the auto-configured pool is opened with, after the {@code pmem.pool.*}
 * properties are applied, for what the properties cannot say. Beans of this type are applied in
 * their {@link org.springframework.core.Ordered order}.
 */
@FunctionalInterface
public interface PmemPoolOptionsCustomizer {

    /** Returns the options to use: {@code options} itself or a copy made with its {@code with} methods. */
    PoolOptions customize(PoolOptions options);
}
