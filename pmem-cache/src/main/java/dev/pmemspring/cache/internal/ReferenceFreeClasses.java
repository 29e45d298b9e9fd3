package dev.pmemspring.cache.internal;

import java.io.Externalizable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The classes whose values a serializer may write without tracking references: no object in such a
 * value's graph can appear twice or point back at the value, so reference tracking (an identity
 * table on write, a reference table on read) would buy nothing. Such a class is not a JDK class,
 * neither it nor a superclass is {@code Externalizable} or declares {@code writeObject},
 * {@code readObject}, {@code readObjectNoData}, {@code writeReplace} or {@code readResolve}, no
 * superclass is a JDK class other than {@code Object} and {@code Record}, and every instance field
 * it has or inherits (transient ones are not written) is of a primitive type or of a <i>value
 * type</i>:
 * <ul>
 *   <li>the boxed primitives, {@code String}, {@code UUID}, and the final classes of
 *       {@code java.time} that hold no mutable object;</li>
 *   <li>an enum (its constants are read back as themselves);</li>
 *   <li>a record, not a JDK class, that passes the same test (and does not contain itself,
 *       directly or through others). Records are immutable, so two components holding one record
 *       lose nothing when read back as two equal ones.</li>
 * </ul>
 * Anything else in a field, an array, a collection, an interface or a class that is not final
 * ({@code BigDecimal} too), makes the class need references tracked: its value could share a
 * mutable object or contain itself. So does a JDK class as the value's own class (a {@code UUID}
 * or an {@code Instant} cached on its own): the check reads only the application's classes. The
 * answer is computed once per class.
 *
 * <pre>{@code
 * public record Product(long id, String sku, BigDecimal price) {}  // not: BigDecimal is not final
 * public record Product(long id, String sku, long priceCents) {}    // yes
 * }</pre>
 */
public final class ReferenceFreeClasses {

    private static final Set<Class<?>> VALUE_TYPES = Set.of(
            Boolean.class,
            Byte.class,
            Character.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            String.class,
            UUID.class,
            java.time.Instant.class,
            java.time.LocalDate.class,
            java.time.LocalTime.class,
            java.time.LocalDateTime.class,
            java.time.OffsetTime.class,
            java.time.OffsetDateTime.class,
            java.time.ZonedDateTime.class,
            java.time.ZoneOffset.class,
            java.time.Duration.class,
            java.time.Period.class,
            java.time.Year.class,
            java.time.YearMonth.class,
            java.time.MonthDay.class);

    private static final ClassValue<Boolean> VERDICTS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return fieldsAreValues(type, new HashSet<>());
            } catch (LinkageError unresolvable) {
                // A field or method names a class missing at run time: left to the serializer,
                // which reports it as it would without this check.
                return false;
            }
        }
    };

    private ReferenceFreeClasses() {}

    /** Whether values whose class is exactly {@code type} hold no reference worth tracking. */
    public static boolean isReferenceFree(Class<?> type) {
        return VERDICTS.get(type);
    }

    /**
     * Whether {@code type} has no hooks and every field it has or inherits is of a value type;
     * false for a type on the way to it ({@code enclosing}), which would contain itself.
     */
    private static boolean fieldsAreValues(Class<?> type, Set<Class<?>> enclosing) {
        if (type.isEnum()) {
            return true;
        }
        if (type.isArray() || type.isInterface() || type.isPrimitive() || !enclosing.add(type)) {
            return false;
        }
        try {
            for (Class<?> c = type; c != Object.class && c != Record.class; c = c.getSuperclass()) {
                if (isJdk(c) || hasHooks(c)) {
                    return false; // a JDK class (a collection, say) keeps state its fields do not show
                }
                for (Field f : c.getDeclaredFields()) {
                    int m = f.getModifiers();
                    if (!Modifier.isStatic(m) && !Modifier.isTransient(m) && !isValueType(f.getType(), enclosing)) {
                        return false;
                    }
                }
            }
            return true;
        } finally {
            enclosing.remove(type);
        }
    }

    private static boolean isValueType(Class<?> type, Set<Class<?>> enclosing) {
        return type.isPrimitive()
                || VALUE_TYPES.contains(type)
                || type.isEnum()
                || (type.isRecord() && fieldsAreValues(type, enclosing));
    }

    private static boolean isJdk(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.")
                || name.startsWith("javax.")
                || name.startsWith("jdk.")
                || name.startsWith("sun.")
                || name.startsWith("com.sun.");
    }

    /**
     * Whether {@code type} replaces or writes itself (Java serialization's hooks, which Fory
     * honours): what it writes then is not its fields, and may hold anything.
     */
    private static boolean hasHooks(Class<?> type) {
        if (Externalizable.class.isAssignableFrom(type)) {
            return true;
        }
        for (Method m : type.getDeclaredMethods()) {
            // static ones too: Fory looks these up by name
            switch (m.getName()) {
                case "writeObject", "readObject", "readObjectNoData", "writeReplace", "readResolve" -> {
                    return true;
                }
                default -> {}
            }
        }
        return false;
    }
}
