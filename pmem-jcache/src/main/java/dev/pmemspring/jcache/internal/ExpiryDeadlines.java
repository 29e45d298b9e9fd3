package dev.pmemspring.jcache.internal;

import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;

import org.jspecify.annotations.Nullable;

/**
 * A cache's {@link ExpiryPolicy} as deadlines in epoch milliseconds, as the pool keeps them (0:
 * never). {@link Duration#ZERO} gives a deadline of now, which reads as expired. A policy that
 * throws is ignored, as the specification asks: eternal for a creation, unchanged otherwise; so is
 * a null duration (unchanged; eternal for a creation).
 */
final class ExpiryDeadlines {

    private final ExpiryPolicy policy;

    ExpiryDeadlines(ExpiryPolicy policy) {
        this.policy = policy;
    }

    ExpiryPolicy policy() {
        return policy;
    }

    long forCreation(long now) {
        Duration d;
        try {
            d = policy.getExpiryForCreation();
        } catch (RuntimeException e) {
            d = null;
        }
        return d == null ? 0 : deadline(d, now);
    }

    long forAccess(long now, long current) {
        Duration d;
        try {
            d = policy.getExpiryForAccess();
        } catch (RuntimeException e) {
            return current;
        }
        return d == null ? current : deadline(d, now);
    }

    long forUpdate(long now, long current) {
        Duration d;
        try {
            d = policy.getExpiryForUpdate();
        } catch (RuntimeException e) {
            return current;
        }
        return d == null ? current : deadline(d, now);
    }

    static boolean expired(long deadline, long now) {
        return deadline != 0 && deadline <= now;
    }

    private static long deadline(@Nullable Duration d, long now) {
        if (d == null || d.isEternal()) {
            return 0;
        }
        if (d.isZero()) {
            return now;
        }
        long millis = d.getTimeUnit().toMillis(d.getDurationAmount());
        long at = now + millis;
        return at < now ? 0 : at; // past the end of time: never
    }
}
