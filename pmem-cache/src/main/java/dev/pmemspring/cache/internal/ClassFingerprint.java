package dev.pmemspring.cache.internal;

import java.io.Externalizable;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.ObjectStreamField;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * 64 bits that change whenever the serialized form of a class changes: its name, its
 * serialVersionUID, its serializable fields (names and types), and whether it is an enum, a record,
 * {@link Externalizable}, or has its own {@code writeObject}/{@code readObject}. Computed once per
 * class. Two classes with the same fingerprint read each other's serialized data the same way.
 */
public final class ClassFingerprint {

    private static final ClassValue<Long> FINGERPRINTS = new ClassValue<>() {
        @Override
        protected Long computeValue(Class<?> type) {
            return compute(ObjectStreamClass.lookupAny(type));
        }
    };

    private ClassFingerprint() {}

    public static long of(ObjectStreamClass descriptor) {
        Class<?> type = descriptor.forClass();
        return type != null ? FINGERPRINTS.get(type) : compute(descriptor);
    }

    private static long compute(ObjectStreamClass descriptor) {
        StringBuilder form = new StringBuilder(128)
                .append(descriptor.getName())
                .append('|')
                .append(descriptor.getSerialVersionUID());
        Class<?> type = descriptor.forClass();
        if (type != null) {
            form.append('|')
                    .append(type.isEnum())
                    .append(type.isRecord())
                    .append(Externalizable.class.isAssignableFrom(type))
                    .append(hasPrivateMethod(type, "writeObject", ObjectOutputStream.class))
                    .append(hasPrivateMethod(type, "readObject", ObjectInputStream.class));
        }
        for (ObjectStreamField field : descriptor.getFields()) {
            form.append('|').append(field.getName()).append(':').append(field.getTypeCode());
            if (!field.isPrimitive()) {
                form.append(field.getTypeString());
            }
        }
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(form.toString().getBytes(StandardCharsets.UTF_8));
            long fingerprint = 0;
            for (int i = 0; i < 8; i++) {
                fingerprint = fingerprint << 8 | (digest[i] & 0xFF);
            }
            return fingerprint;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static boolean hasPrivateMethod(Class<?> type, String name, Class<?> parameter) {
        try {
            return Modifier.isPrivate(type.getDeclaredMethod(name, parameter).getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
