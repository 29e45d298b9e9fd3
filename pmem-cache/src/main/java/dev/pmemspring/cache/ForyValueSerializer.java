package dev.pmemspring.cache;

import dev.pmemspring.cache.internal.AllowListFilter;
import dev.pmemspring.cache.internal.ClassPatterns;
import dev.pmemspring.cache.internal.ForyInstances;
import dev.pmemspring.cache.internal.ReferenceFreeClasses;
import org.apache.fory.Fory;
import org.apache.fory.config.CompatibleMode;
import org.apache.fory.config.ForyBuilder;
import org.apache.fory.config.Language;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import java.io.InvalidClassException;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Apache Fory's binary format, reading only classes on an allow-list: the default serializer,
 * several times faster than Java serialization both ways (docs/benchmarks.md), and values need not
 * be {@code Serializable}. Wants the JVM option
 * {@code --add-opens java.base/java.lang.invoke=ALL-UNNAMED} (or the manifest entry
 * {@code Add-Opens: java.base/java.lang.invoke} of an executable jar): without it Fory reaches into
 * the JDK through {@code sun.misc.Unsafe}, which JDK 24 and later warn about at the first use (and
 * this class logs what to add).
 *
 * <pre>{@code
 * PmemCacheSettings.defaults()
 *         .withSerializer(ForyValueSerializer.allowing("com.example.catalogue.**"));
 * }</pre>
 *
 * <ul>
 *   <li>Classes are written by name, never by a registration number, so what one release wrote the
 *       next one reads whatever classes it has added; only classes the allow-list names are ever
 *       loaded or instantiated from pool bytes (others are a counted miss). Always allowed:
 *       {@code java.lang.*}, {@code java.util.**}, {@code java.time.**}, {@code java.math.*},
 *       {@code java.net.URI}, {@code java.net.URL}, and Spring's cache key class. Patterns as for
 *       {@link JdkValueSerializer}.</li>
 *   <li>A class whose fields changed since a value was written is refused as a whole, a counted
 *       miss, as with {@link JdkValueSerializer} (Fory's schema-consistent mode with its class
 *       version check): a cache reloads such a value rather than guess its missing fields.</li>
 *   <li>Shared references and cycles come back as they were. Graphs deeper than 64 are
 *       refused. Values of a class that can hold neither (its fields primitives, strings, enums,
 *       {@code java.time} values and such records: {@link ReferenceFreeClasses}) are written
 *       without Fory's reference tracking, which saves its reference tables on every read and
 *       write.</li>
 *   <li>A record is read fastest when it and its components' types are public: Fory then calls
 *       its constructor directly, where it builds any other record through a method handle with
 *       the components boxed in an array. The first cached value of such a record class says so in
 *       the log (for the value's own class; records nested inside it are not looked at).</li>
 * </ul>
 */
public final class ForyValueSerializer implements ValueSerializer {

    private static final Log LOG = LogFactory.getLog(ForyValueSerializer.class);

    /** Instances of Fory (each single-threaded) shared by virtual threads and nested calls. */
    private static final int POOL = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private static final ForyValueSerializer STANDARD = new ForyValueSerializer(List.of());

    private final ClassPatterns allowed;
    private final AllowListFilter filter;
    /** Made at the first use, so that settings holding an unused serializer cost nothing. */
    private volatile @Nullable Bound bound;

    /**
     * The first byte of a value written without reference tracking. Fory 1.6's own first byte is
     * its header, 0x00 in Java mode: bit 0 marks cross-language data, bit 1 out-of-band buffers
     * (neither used here), and it refuses the other bits as reserved, so it is never this value.
     * Values written with tracking have no marker, as before it existed.
     */
    static final byte WITHOUT_REFERENCES = 0x55;

    /**
     * The Fory instances that resolve class names through {@code loader}: with reference tracking,
     * and without it for the classes that gain nothing from it ({@link ReferenceFreeClasses}).
     */
    private record Bound(ClassLoader loader, ForyInstances tracking, ForyInstances untracked) {

        ForyInstances fory(boolean referenceFree) {
            return referenceFree ? untracked : tracking;
        }
    }

    private ForyValueSerializer(List<String> extra) {
        List<String> all = new ArrayList<>(ClassPatterns.STANDARD);
        all.addAll(extra);
        this.allowed = new ClassPatterns(all);
        this.filter = new AllowListFilter(allowed);
    }

    /** Only the JDK's value classes and Spring's cache key class. */
    public static ForyValueSerializer standard() {
        return STANDARD;
    }

    /** The standard classes and those {@code patterns} match. */
    public static ForyValueSerializer allowing(String... patterns) {
        return allowing(List.of(patterns));
    }

    /** The standard classes and those {@code patterns} match. */
    public static ForyValueSerializer allowing(List<String> patterns) {
        return new ForyValueSerializer(patterns);
    }

    /** The patterns of the classes this serializer reads. */
    public List<String> allowedClasses() {
        return allowed.patterns();
    }

    /** The configuration of the instances that read and write through {@code loader}. */
    private ForyBuilder configuration(ClassLoader loader, boolean trackReferences) {
        checkInvokeIsOpen();
        // The checker holds the patterns, not this serializer: a thread's instance then keeps no
        // path back to the thread-local that holds it, and goes with the serializer.
        ClassPatterns patterns = allowed;
        return Fory.builder()
                .withLanguage(Language.JAVA)
                .withClassLoader(loader)
                // by name, checked against the list: a number would change meaning when the
                // application registers classes in another order, and pools outlive releases
                .requireClassRegistration(false)
                .suppressClassRegistrationWarnings(true)
                .withTypeChecker((resolver, className) -> patterns.matches(componentName(className)))
                .withCompatibleMode(CompatibleMode.SCHEMA_CONSISTENT)
                .withClassVersionCheck(true)
                .withRefTracking(trackReferences)
                .withMaxDepth((int) AllowListFilter.MAX_DEPTH);
    }

    /** The element class name of an array class name ({@code [Lcom.example.Quote;}), else the name. */
    private static String componentName(String className) {
        int start = 0;
        while (start < className.length() && className.charAt(start) == '[') {
            start++;
        }
        if (start == 0) {
            return className;
        }
        return className.startsWith("L", start) && className.endsWith(";")
                ? className.substring(start + 1, className.length() - 1)
                : "java.lang.Object"; // an array of primitives
    }

    @Override
    public String id() {
        return "fory";
    }

    /**
     * Says once per class, at its first value, that Fory reads this record the slow way (more than
     * once only if threads store its first values at the same moment).
     */
    private static final ClassValue<Boolean> RECORD_ADVICE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (type.isRecord() && !constructorReachable(type)) {
                LOG.info("cached values of " + type.getName() + " will be read through a method handle with their"
                        + " components boxed: make the record and its components' types public for Fory to call"
                        + " its constructor directly (a faster read, less garbage)");
            }
            return Boolean.TRUE;
        }
    };

    /** Whether Fory's generated reader can call the record's constructor: Fory asks for public types. */
    private static boolean constructorReachable(Class<?> record) {
        if (!Modifier.isPublic(record.getModifiers())) {
            return false;
        }
        for (RecordComponent c : record.getRecordComponents()) {
            if (!Modifier.isPublic(c.getType().getModifiers())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public byte[] serialize(Object value) {
        return serialize(value, 0);
    }

    /**
     * Writes into a buffer the thread keeps, from {@code headroom} on, and copies the result out
     * once: Fory's own {@code serialize(Object)} copies out of its buffer too, and the cache would
     * then copy that array again to put its header first.
     */
    @Override
    public byte[] serialize(Object value, int headroom) {
        if (headroom < 0) {
            throw new IllegalArgumentException("headroom must not be negative: " + headroom);
        }
        RECORD_ADVICE.get(value.getClass());
        try {
            boolean referenceFree = ReferenceFreeClasses.isReferenceFree(value.getClass());
            Bound current = bound;
            return (current != null ? current : boundTo(ForyValueSerializer.class.getClassLoader()))
                    .fory(referenceFree)
                    .serialize(value, headroom, referenceFree ? WITHOUT_REFERENCES : -1);
        } catch (RuntimeException | StackOverflowError e) {
            throw new IllegalArgumentException(
                    "cannot serialize a " + value.getClass().getName() + " with Fory: " + e
                            + "; cache a simpler value type (a record of strings, numbers and collections), or use"
                            + " JdkValueSerializer",
                    e);
        }
    }

    @Override
    public Object deserialize(byte[] bytes, ClassLoader classLoader) throws Exception {
        return deserialize(bytes, 0, bytes.length, classLoader);
    }

    @Override
    public Object deserialize(byte[] bytes, int offset, int length, ClassLoader classLoader) throws Exception {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        boolean referenceFree = length > 0 && bytes[offset] == WITHOUT_REFERENCES;
        try {
            return boundTo(classLoader)
                    .fory(referenceFree)
                    .deserialize(bytes, referenceFree ? offset + 1 : offset, referenceFree ? length - 1 : length);
        } catch (StackOverflowError e) {
            throw new InvalidClassException("a value nested deeper than the stack allows");
        }
    }

    /** The Fory instances of {@code loader}; a new loader (a devtools restart) replaces the old ones. */
    private Bound boundTo(ClassLoader loader) {
        Bound current = bound;
        if (current == null || current.loader() != loader) {
            current = new Bound(
                    loader,
                    new ForyInstances(() -> configuration(loader, true), POOL),
                    new ForyInstances(() -> configuration(loader, false), POOL));
            bound = current;
        }
        return current;
    }

    private static final AtomicBoolean INVOKE_CHECKED = new AtomicBoolean();

    /**
     * Says once, at the first Fory made, what to add when {@code java.lang.invoke} is not open to
     * Fory: it then falls back to {@code sun.misc.Unsafe}, which the JDK warns about now and will
     * refuse in a later release.
     */
    private static void checkInvokeIsOpen() {
        if (Runtime.version().feature() < 24 || !INVOKE_CHECKED.compareAndSet(false, true)) {
            return;
        }
        Module fory = Fory.class.getModule();
        if (!MethodHandles.Lookup.class.getModule().isOpen("java.lang.invoke", fory)) {
            LOG.warn("the Fory serializer needs java.lang.invoke opened to it: add the JVM option --add-opens"
                    + " java.base/java.lang.invoke=" + (fory.isNamed() ? fory.getName() : "ALL-UNNAMED")
                    + " (or 'Add-Opens: java.base/java.lang.invoke' in an executable jar's manifest). Without it"
                    + " Fory uses sun.misc.Unsafe, which the JDK warns about, and a later JDK will refuse.");
        }
    }

    @Override
    public boolean allows(Class<?> type) {
        return filter.allows(type);
    }

    @Override
    public String toString() {
        return "ForyValueSerializer" + allowed.patterns();
    }
}
