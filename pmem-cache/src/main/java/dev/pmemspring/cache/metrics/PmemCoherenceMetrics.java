package dev.pmemspring.cache.metrics;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;

import dev.pmemspring.cache.CacheCoherence;
import dev.pmemspring.cache.CoherenceStatus;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of a cache coherence: {@code pmem.cache.coherence.events} with tag {@code type} =
 * published (local changes sent), applied (changes from other instances applied here) or skipped
 * (this instance's own, read back); {@code pmem.cache.coherence.lag}, a timer of the time from a
 * change's write on its instance to its application here; {@code pmem.cache.coherence.resyncs};
 * {@code pmem.cache.coherence.forced.clears}; and the gauge {@code pmem.cache.coherence.pending}
 * (local changes not yet sent). Every meter carries the tag {@code stream}.
 */
public class PmemCoherenceMetrics implements MeterBinder {

    private final CacheCoherence coherence;

    private final Consumer<LongConsumer> lags;

    private final Iterable<Tag> tags;

    /**
     * @param coherence what to measure
     * @param lags      registers a listener for the lag of each applied change, in milliseconds
     */
    public PmemCoherenceMetrics(CacheCoherence coherence, Consumer<LongConsumer> lags) {
        this.coherence = Objects.requireNonNull(coherence, "coherence");
        this.lags = Objects.requireNonNull(lags, "lags");
        String channel = coherence.status().channel();
        this.tags = Tags.of("stream", channel == null ? "none" : channel);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        event(registry, "published", CoherenceStatus::published);
        event(registry, "applied", CoherenceStatus::applied);
        event(registry, "skipped", CoherenceStatus::skipped);
        FunctionCounter.builder(
                        "pmem.cache.coherence.resyncs",
                        coherence,
                        c -> c.status().resyncs())
                .description("Times changes from other instances could not be replayed and the caches were cleared")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder(
                        "pmem.cache.coherence.forced.clears",
                        coherence,
                        c -> c.status().forcedClears())
                .description("Caches cleared by resyncs, or on the other instances because too many changes waited")
                .tags(tags)
                .register(registry);
        Gauge.builder("pmem.cache.coherence.pending", coherence, c -> c.status().pending())
                .description("Local changes recorded but not yet sent")
                .baseUnit(BaseUnits.EVENTS)
                .tags(tags)
                .register(registry);
        Timer lag = Timer.builder("pmem.cache.coherence.lag")
                .description("Time from a change's write on another instance to its application here")
                .publishPercentiles(0.5, 0.99)
                .tags(tags)
                .register(registry);
        lags.accept(millis -> lag.record(millis, TimeUnit.MILLISECONDS));
    }

    private void event(MeterRegistry registry, String type, ToLongFunction<CoherenceStatus> count) {
        FunctionCounter.builder("pmem.cache.coherence.events", coherence, c -> count.applyAsLong(c.status()))
                .description("Cache changes sent to or received from the other instances")
                .baseUnit(BaseUnits.EVENTS)
                .tags(tags)
                .tag("type", type)
                .register(registry);
    }
}
