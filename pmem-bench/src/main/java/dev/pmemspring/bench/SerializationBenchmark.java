package dev.pmemspring.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.pmemspring.cache.ForyValueSerializer;
import dev.pmemspring.cache.JdkValueSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.concurrent.TimeUnit;

/**
 * The floor under the serializing stores of {@link CacheBenchmark}: one {@link Product} to a byte
 * array and back, with nothing stored anywhere. {@link #serialize} and {@link #deserialize} use the
 * JDK's object streams as Ehcache and Spring Data Redis do; {@link #serializeForPmem} and
 * {@link #deserializeForPmem} use pmem-cache's {@link JdkValueSerializer}, whose streams name each
 * class instead of describing it; {@link #serializeFory} and {@link #deserializeFory} its
 * {@link ForyValueSerializer}. Kryo 5 ({@link #serializeKryo}, {@link #deserializeKryo}) is the other
 * fast serializer the cache could have taken, configured as safely (registration required, so only
 * registered classes are ever read). A store's get cannot be faster than its serializer's read, nor
 * its put than its write.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            // for Fory, which otherwise falls back to sun.misc.Unsafe
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "-Xms2g",
            "-Xmx2g",
            // Fault the heap in before measuring: on a VM the first touch of a page is a costly fault
            // (docs/benchmarks.md, "Heap page faults")
            "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages"
        })
@State(Scope.Thread)
public class SerializationBenchmark {

    final JdkValueSerializer pmemSerializer = JdkValueSerializer.allowing("dev.pmemspring.bench.*");
    final ClassLoader loader = SerializationBenchmark.class.getClassLoader();
    final ForyValueSerializer forySerializer = ForyValueSerializer.allowing("dev.pmemspring.bench.*");
    final Kryo kryo = new Kryo();
    final Output kryoOut = new Output(256, -1);
    Product value;
    byte[] bytes;
    byte[] pmemBytes;
    byte[] foryBytes;
    byte[] kryoBytes;

    @Setup
    public void prepare() {
        value = Product.sample(12_345, 0);
        bytes = serialize();
        pmemBytes = serializeForPmem();
        foryBytes = serializeFory();
        kryo.setRegistrationRequired(true);
        kryo.register(Product.class);
        kryoBytes = serializeKryo();
    }

    @Benchmark
    public byte[] serialize() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @Benchmark
    public Object deserialize() throws IOException, ClassNotFoundException {
        try (ObjectInputStream objects = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return objects.readObject();
        }
    }

    @Benchmark
    public byte[] serializeForPmem() {
        return pmemSerializer.serialize(value);
    }

    @Benchmark
    public Object deserializeForPmem() throws Exception {
        return pmemSerializer.deserialize(pmemBytes, loader);
    }

    @Benchmark
    public byte[] serializeFory() {
        return forySerializer.serialize(value);
    }

    @Benchmark
    public Object deserializeFory() throws Exception {
        return forySerializer.deserialize(foryBytes, loader);
    }

    @Benchmark
    public byte[] serializeKryo() {
        kryoOut.reset();
        kryo.writeObject(kryoOut, value);
        return kryoOut.toBytes();
    }

    @Benchmark
    public Object deserializeKryo() {
        return kryo.readObject(new Input(kryoBytes), Product.class);
    }
}
