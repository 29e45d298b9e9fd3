package dev.pmemspring.cache.internal;

import java.io.ObjectInputFilter;

/**
 * The deserialization filter of {@link dev.pmemspring.cache.JdkValueSerializer}: classes (and the
 * component classes of arrays) must match the allow-list, and graphs stay within depth, reference
 * and array-length limits. The same rules as a pattern filter from
 * {@link ObjectInputFilter.Config#createFilter}, with each class's verdict remembered: the JDK's
 * filter matches every pattern again on every check, an eighth of a cache hit's time.
 */
public final class AllowListFilter implements ObjectInputFilter {

    public static final long MAX_DEPTH = 64;
    public static final long MAX_REFERENCES = 1_000_000;
    public static final long MAX_ARRAY_LENGTH = 1_000_000;

    private final ClassValue<Boolean> verdicts;

    public AllowListFilter(ClassPatterns allowed) {
        this.verdicts = new ClassValue<>() {
            @Override
            protected Boolean computeValue(Class<?> type) {
                return allowed.matches(type.getName());
            }
        };
    }

    /** Whether values of {@code type} pass the allow-list (arrays by their component class). */
    public boolean allows(Class<?> type) {
        Class<?> t = type;
        while (t.isArray()) {
            t = t.getComponentType();
        }
        return t.isPrimitive() || verdicts.get(t);
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES || info.arrayLength() > MAX_ARRAY_LENGTH) {
            return Status.REJECTED;
        }
        Class<?> type = info.serialClass();
        if (type == null) {
            return Status.UNDECIDED;
        }
        return allows(type) ? Status.ALLOWED : Status.REJECTED;
    }
}
