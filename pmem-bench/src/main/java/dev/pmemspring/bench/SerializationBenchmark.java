package dev.pmemspring.bench;

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
 * {@link #deserializeForPmem} use pmem-cache's default {@link JdkValueSerializer}, whose streams
 * name each class instead of describing it. A store's get cannot be faster than its serializer's
 * read, nor its put than its write.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
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
    Product value;
    byte[] bytes;
    byte[] pmemBytes;

    @Setup
    public void prepare() {
        value = Product.sample(12_345, 0);
        bytes = serialize();
        pmemBytes = serializeForPmem();
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
}
