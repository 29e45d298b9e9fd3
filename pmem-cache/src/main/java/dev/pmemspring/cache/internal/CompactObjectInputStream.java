package dev.pmemspring.cache.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.StreamCorruptedException;

/**
 * Reads what {@link CompactObjectOutputStream} wrote. Each class named in the stream is loaded
 * through the given {@link ClassResolver} and must have the fingerprint it had when written;
 * otherwise the read fails with {@link InvalidClassException}. So a value whose class changed its
 * serialized form since is refused, never misread (stricter than the JDK, which would fill in
 * defaults for added fields; for a cache, a miss is the right answer).
 */
public final class CompactObjectInputStream extends ObjectInputStream {

    private final ClassResolver classes;

    public CompactObjectInputStream(InputStream in, ClassResolver classes) throws IOException {
        super(in);
        this.classes = classes;
    }

    @Override
    protected void readStreamHeader() throws IOException {
        int magic = readInt();
        if (magic != CompactObjectOutputStream.MAGIC) {
            throw new StreamCorruptedException(String.format("not a value this serializer wrote (header %08x)", magic));
        }
    }

    @Override
    protected ObjectStreamClass readClassDescriptor() throws IOException {
        String name = readUTF();
        long fingerprint = readLong();
        Class<?> type;
        try {
            type = classes.resolve(name);
        } catch (ClassNotFoundException e) {
            InvalidClassException gone = new InvalidClassException(
                    name, "no such class here (renamed or removed" + " since the value was stored?)");
            gone.initCause(e);
            throw gone;
        }
        ObjectStreamClass local = ObjectStreamClass.lookupAny(type);
        if (ClassFingerprint.of(local) != fingerprint) {
            throw new InvalidClassException(
                    name,
                    "the class's serialized form changed since the value was"
                            + " stored (fields, serialVersionUID or custom serialization differ)");
        }
        return local;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass descriptor) {
        return descriptor.forClass(); // the local class readClassDescriptor resolved
    }
}
