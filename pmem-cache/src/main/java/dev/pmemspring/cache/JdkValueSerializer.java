package dev.pmemspring.cache;

import dev.pmemspring.cache.internal.AllowListFilter;
import dev.pmemspring.cache.internal.ByteArrayInput;
import dev.pmemspring.cache.internal.ClassPatterns;
import dev.pmemspring.cache.internal.ClassResolver;
import dev.pmemspring.cache.internal.CompactObjectInputStream;
import dev.pmemspring.cache.internal.CompactObjectOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Java serialization, reading only classes on an allow-list ({@link ObjectInputFilter}): for values
 * that rely on Java serialization's own hooks ({@code writeObject}, {@code readResolve},
 * {@code Externalizable}), or where Fory cannot run. {@link ForyValueSerializer}, the default, is
 * several times faster. A class the list does not name is refused on read (a counted miss) and, when
 * it is the value's own class, already on write.
 *
 * <pre>{@code
 * PmemCacheSettings.defaults()
 *         .withSerializer(JdkValueSerializer.allowing("com.example.catalogue.**"));
 * }</pre>
 *
 * Always allowed: {@code java.lang.*}, {@code java.util.**}, {@code java.time.**},
 * {@code java.math.*}, {@code java.net.URI}, {@code java.net.URL}, and Spring's cache key and null
 * classes. Patterns use the filter's syntax: {@code com.example.Quote}, {@code com.example.*} (a
 * package), {@code com.example.**} (and subpackages). Object graphs deeper than 64 or with more
 * than 1,000,000 references or array elements are refused.
 *
 * <p>The format is Java serialization's object stream, except that each class is written as its
 * name and a fingerprint of its serialized form rather than the full descriptor the JDK repeats in
 * every stream: values are smaller, and reading one takes about half the time. A value whose class
 * has since changed its serialized form (its fields, {@code serialVersionUID}, or custom
 * serialization) is refused as a whole, so it is a counted miss, where the JDK would fill in
 * defaults for fields it does not find.
 */
public final class JdkValueSerializer implements ValueSerializer {

    /** Spring's cached null, besides the standard classes: it may sit inside a serialized value. */
    private static final String NULL_VALUE = "org.springframework.cache.support.NullValue";

    private final ClassPatterns allowed;
    private final AllowListFilter filter;
    private volatile ClassResolver classes = new ClassResolver(JdkValueSerializer.class.getClassLoader());

    private JdkValueSerializer(List<String> extra) {
        List<String> all = new ArrayList<>(ClassPatterns.STANDARD);
        all.add(NULL_VALUE);
        all.addAll(extra);
        this.allowed = new ClassPatterns(all);
        this.filter = new AllowListFilter(allowed);
    }

    /** Only the JDK's value classes and Spring's cache classes. */
    public static JdkValueSerializer standard() {
        return new JdkValueSerializer(List.of());
    }

    /** The standard classes and those {@code patterns} match. */
    public static JdkValueSerializer allowing(String... patterns) {
        return allowing(List.of(patterns));
    }

    /** The standard classes and those {@code patterns} match. */
    public static JdkValueSerializer allowing(List<String> patterns) {
        return new JdkValueSerializer(patterns);
    }

    /** The patterns of the classes this serializer reads. */
    public List<String> allowedClasses() {
        return allowed.patterns();
    }

    @Override
    public String id() {
        return "jdk";
    }

    @Override
    public byte[] serialize(Object value) {
        if (!(value instanceof Serializable)) {
            throw new IllegalArgumentException(
                    "cannot cache a " + value.getClass().getName()
                            + " with Java serialization: make it Serializable (a record implementing Serializable is"
                            + " simplest) or use JsonValueSerializer");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new CompactObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(
                    "cannot cache a " + value.getClass().getName() + ": it holds a " + e.getMessage()
                            + ", which is not Serializable; make it Serializable or transient",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot serialize a " + value.getClass().getName() + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader classLoader) throws Exception {
        return deserialize(bytes, 0, bytes.length, classLoader);
    }

    @Override
    public Object deserialize(byte[] bytes, int offset, int length, ClassLoader classLoader) throws Exception {
        String[] rejected = new String[1];
        try (ObjectInputStream in =
                new CompactObjectInputStream(new ByteArrayInput(bytes, offset, length), resolverFor(classLoader))) {
            in.setObjectInputFilter(info -> {
                ObjectInputFilter.Status status = filter.checkInput(info);
                if (status == ObjectInputFilter.Status.REJECTED && info.serialClass() != null) {
                    rejected[0] = info.serialClass().getName();
                }
                return status;
            });
            return in.readObject();
        } catch (InvalidClassException e) {
            if (rejected[0] != null) {
                throw new InvalidClassException(
                        rejected[0], "not among the serializer's allowed classes " + allowed.patterns());
            }
            throw e;
        }
    }

    /** The resolver of {@code loader}'s classes; a new loader (a devtools restart) replaces the old one. */
    private ClassResolver resolverFor(ClassLoader loader) {
        ClassResolver current = classes;
        if (current.loader() != loader) {
            current = new ClassResolver(loader);
            classes = current;
        }
        return current;
    }

    @Override
    public boolean allows(Class<?> type) {
        return filter.allows(type);
    }

    @Override
    public String toString() {
        return "JdkValueSerializer" + allowed.patterns();
    }
}
