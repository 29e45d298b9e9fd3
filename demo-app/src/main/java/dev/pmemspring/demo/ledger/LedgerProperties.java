package dev.pmemspring.demo.ledger;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The ledger's shape, used when the pool holds no ledger yet (an existing ledger keeps its own).
 *
 * @param accounts how many accounts the ledger opens with
 * @param initialBalance each account's opening balance, in cents
 * @param enabled whether the service keeps a ledger at all; without it the pool holds only caches,
 *                which a machine crash cannot keep the service from opening (see docs/spring-boot.md)
 * @param pauseBetweenLegs a sleep between the debit and the credit of a transfer, to widen the
 *                         window in which a {@code kill -9} catches a transfer half done (tests)
 */
@ConfigurationProperties("demo.ledger")
public record LedgerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("100") int accounts,
        @DefaultValue("100000") long initialBalance,
        @DefaultValue("0ms") Duration pauseBetweenLegs) {

    public LedgerProperties {
        if (accounts < 2) {
            throw new IllegalArgumentException("demo.ledger.accounts must be at least 2: " + accounts);
        }
        if (initialBalance < 0) {
            throw new IllegalArgumentException("demo.ledger.initial-balance must not be negative: " + initialBalance);
        }
    }
}
