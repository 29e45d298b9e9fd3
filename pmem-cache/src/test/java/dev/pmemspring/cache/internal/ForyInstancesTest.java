package dev.pmemspring.cache.internal;

import org.apache.fory.Fory;
import org.apache.fory.config.Language;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ForyInstancesTest {

    public record Item(long id, String name, List<String> tags) {}

    /** Writes a value through the same instances, on the same thread, while it is being written. */
    static final class Nested implements java.io.Serializable {
        static ForyInstances through;
        final String name;

        Nested(String name) {
            this.name = name;
        }

        @java.io.Serial
        Object writeReplace() {
            through.serialize(new Item(0, "inner", List.of("i")), 0, -1);
            return new Item(0, name, List.of());
        }
    }

    /** Fails while being written, inside a generic field of the value that holds it. */
    static final class Failing implements java.io.Serializable {
        @java.io.Serial
        Object writeReplace() {
            throw new IllegalStateException("cannot be written");
        }
    }

    public record Holder(List<Object> items) {}

    private final AtomicInteger made = new AtomicInteger();

    private final ForyInstances instances = new ForyInstances(
            () -> {
                made.incrementAndGet();
                return Fory.builder()
                        .withLanguage(Language.JAVA)
                        .requireClassRegistration(false)
                        .suppressClassRegistrationWarnings(true)
                        .withRefTracking(true);
            },
            2);

    private Object roundTrip(Object value) {
        byte[] bytes = instances.serialize(value, 0, -1);
        return instances.deserialize(bytes, 0, bytes.length);
    }

    @Test
    void a_platform_thread_keeps_its_instance() {
        for (int i = 0; i < 100; i++) {
            assertThat(roundTrip(new Item(i, "n" + i, List.of("a")))).isEqualTo(new Item(i, "n" + i, List.of("a")));
        }
        assertThat(made).as("one instance for this thread, no pool").hasValue(1);
    }

    @Test
    void a_call_nested_in_another_on_the_same_thread_gets_an_instance_of_its_own() {
        Nested.through = instances;
        Item shared = new Item(1, "shared", List.of("t"));
        // the outer write has noted the shared item when the nested one runs in the middle
        List<?> back = (List<?>) roundTrip(new ArrayList<>(List.of(shared, new Nested("n"), shared)));
        assertThat(back.get(1)).isEqualTo(new Item(0, "n", List.of()));
        assertThat(back.get(2))
                .as("one object written twice is one object read")
                .isSameAs(back.get(0));
    }

    @Test
    void a_write_that_failed_leaves_the_thread_a_fresh_instance() {
        assertThat(roundTrip(new Item(1, "before", List.of()))).isEqualTo(new Item(1, "before", List.of()));
        assertThatThrownBy(() -> roundTrip(new Holder(List.of("a", new Failing()))))
                .isInstanceOf(RuntimeException.class);
        assertThat(roundTrip(new Item(2, "after", List.of("b")))).isEqualTo(new Item(2, "after", List.of("b")));
        assertThat(made).as("the failed write's instance was not reused").hasValue(2);
    }

    @Test
    void platform_and_virtual_threads_at_once_never_share_an_instance_mid_call() throws Exception {
        List<ExecutorService> executors =
                List.of(Executors.newFixedThreadPool(4), Executors.newVirtualThreadPerTaskExecutor());
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (ExecutorService executor : executors) {
                for (int task = 0; task < 16; task++) {
                    int t = task;
                    calls.add(executor.submit(() -> {
                        for (int i = 0; i < 2_000; i++) {
                            Item item = new Item(i, "task " + t, List.of("x" + i, "y" + t));
                            assertThat(roundTrip(item)).isEqualTo(item);
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            executors.forEach(ExecutorService::shutdown);
        }
        // four platform threads, and one pool (a builder asked once) for the virtual threads
        assertThat(made).hasValue(5);
    }
}
