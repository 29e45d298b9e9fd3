package dev.pmemspring.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.cache.annotation.EnableCaching;

/**
 * The demo service: a slow catalogue behind caches that live in a pmem pool, and a ledger of
 * accounts kept directly in the same pool and changed only in pool transactions. Kill it with
 * {@code kill -9}, start it again, and it answers from a warm cache with a whole ledger.
 */
@SpringBootApplication
@EnableCaching
@ConfigurationPropertiesScan
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }
}
