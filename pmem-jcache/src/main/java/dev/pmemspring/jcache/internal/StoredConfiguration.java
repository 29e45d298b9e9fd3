package dev.pmemspring.jcache.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;

import org.jspecify.annotations.Nullable;

/**
 * The part of a cache's configuration the pool keeps, so that {@code getCache} after a restart
 * gives the cache back as it was created: key and value types (by name), the flags, and the expiry
 * policy when it is one of the standard ones. Loaders, writers, listeners and other expiry
 * policies are code and objects of the application, not data: they are not kept (an application
 * that needs them creates the cache again, or registers its listeners again).
 *
 * <p>Format (version 1): version byte, key type, value type (modified UTF-8), flags byte
 * (store-by-value, statistics, management, read-through, write-through), expiry kind byte
 * (0 eternal, 1 created, 2 accessed, 3 modified, 4 touched, 5 not kept), duration in milliseconds.
 */
record StoredConfiguration(
        String keyType,
        String valueType,
        boolean storeByValue,
        boolean statistics,
        boolean management,
        boolean readThrough,
        boolean writeThrough,
        int expiryKind,
        long expiryMillis) {

    private static final int VERSION = 1;
    private static final int NOT_KEPT = 5;

    static StoredConfiguration of(CompleteConfiguration<?, ?> c) {
        int kind = NOT_KEPT;
        long millis = 0;
        Factory<? extends ExpiryPolicy> factory = c.getExpiryPolicyFactory();
        ExpiryPolicy policy = null;
        try {
            policy = factory == null ? null : factory.create();
        } catch (RuntimeException e) {
            // a factory that fails now fails when the cache is created: nothing to keep
        }
        if (policy == null || policy instanceof EternalExpiryPolicy) {
            kind = 0;
        } else if (policy.getClass() == CreatedExpiryPolicy.class) {
            kind = 1;
            millis = millis(policy.getExpiryForCreation());
        } else if (policy.getClass() == AccessedExpiryPolicy.class) {
            kind = 2;
            millis = millis(policy.getExpiryForCreation());
        } else if (policy.getClass() == ModifiedExpiryPolicy.class) {
            kind = 3;
            millis = millis(policy.getExpiryForCreation());
        } else if (policy.getClass() == TouchedExpiryPolicy.class) {
            kind = 4;
            millis = millis(policy.getExpiryForCreation());
        }
        return new StoredConfiguration(
                c.getKeyType().getName(),
                c.getValueType().getName(),
                c.isStoreByValue(),
                c.isStatisticsEnabled(),
                c.isManagementEnabled(),
                c.isReadThrough(),
                c.isWriteThrough(),
                kind,
                millis);
    }

    private static long millis(@Nullable Duration d) {
        return d == null || d.isEternal() ? -1 : d.getTimeUnit().toMillis(d.getDurationAmount());
    }

    /** The configuration to reopen the cache with; types resolved through {@code loader}, else Object. */
    MutableConfiguration<Object, Object> toConfiguration(ClassLoader loader) {
        MutableConfiguration<Object, Object> c = new MutableConfiguration<>();
        c.setTypes(type(keyType, loader), type(valueType, loader));
        c.setStoreByValue(storeByValue);
        c.setStatisticsEnabled(statistics);
        c.setManagementEnabled(management);
        Duration d = expiryMillis < 0 ? Duration.ETERNAL : new Duration(TimeUnit.MILLISECONDS, expiryMillis);
        c.setExpiryPolicyFactory(
                switch (expiryKind) {
                    case 1 -> CreatedExpiryPolicy.factoryOf(d);
                    case 2 -> AccessedExpiryPolicy.factoryOf(d);
                    case 3 -> ModifiedExpiryPolicy.factoryOf(d);
                    case 4 -> TouchedExpiryPolicy.factoryOf(d);
                    default -> FactoryBuilder.factoryOf(EternalExpiryPolicy.class);
                });
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Class<Object> type(String name, ClassLoader loader) {
        try {
            return (Class<Object>) Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return Object.class;
        }
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(keyType);
            out.writeUTF(valueType);
            out.writeByte((storeByValue ? 1 : 0)
                    | (statistics ? 2 : 0)
                    | (management ? 4 : 0)
                    | (readThrough ? 8 : 0)
                    | (writeThrough ? 16 : 0));
            out.writeByte(expiryKind);
            out.writeLong(expiryMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The configuration {@code bytes} hold, or null if they are not one this release wrote. */
    static @Nullable StoredConfiguration decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readUnsignedByte() != VERSION) {
                return null;
            }
            String key = in.readUTF();
            String value = in.readUTF();
            int flags = in.readUnsignedByte();
            int kind = in.readUnsignedByte();
            long millis = in.readLong();
            return new StoredConfiguration(
                    key,
                    value,
                    (flags & 1) != 0,
                    (flags & 2) != 0,
                    (flags & 4) != 0,
                    (flags & 8) != 0,
                    (flags & 16) != 0,
                    kind,
                    millis);
        } catch (IOException e) {
            return null; // damaged or cut short: the cache is not offered again
        }
    }
}
