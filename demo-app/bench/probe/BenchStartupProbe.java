package dev.pmemspring.demo.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.metrics.StartupStep;

/**
 * Benchmark-only: put on the demo's class path with {@code loader.path} by the warm-restart
 * benchmark, never part of the demo. Records Spring's start-up steps and, once the application is
 * ready, prints to standard output how long the context refresh took and how much of it went into
 * creating the beans that make up the cache: the union of the creation intervals of the beans
 * named in {@code -Dbench.cacheBeans=a,b} (nested creations counted once). Also prints each of
 * those beans, and the slowest beans, for the record.
 */
public final class BenchStartupProbe implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        if (!(context instanceof GenericApplicationContext generic)) {
            return;
        }
        BufferingApplicationStartup startup = new BufferingApplicationStartup(100_000);
        generic.setApplicationStartup(startup);
        List<String> wanted =
                List.of(System.getProperty("bench.cacheBeans", "cacheManager").split(","));
        context.addApplicationListener(event -> {
            if (event instanceof ApplicationReadyEvent) {
                report(startup.getBufferedTimeline(), wanted);
            }
        });
    }

    private static void report(StartupTimeline timeline, List<String> wanted) {
        List<Instant[]> intervals = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        List<StartupTimeline.TimelineEvent> beans = new ArrayList<>();
        Duration refresh = Duration.ZERO;
        for (StartupTimeline.TimelineEvent e : timeline.getEvents()) {
            StartupStep step = e.getStartupStep();
            if (step.getName().equals("spring.context.refresh")) {
                refresh = e.getDuration();
            }
            if (!step.getName().equals("spring.beans.instantiate")) {
                continue;
            }
            beans.add(e);
            String name = beanName(step);
            if (wanted.contains(name)) {
                intervals.add(new Instant[] {e.getStartTime(), e.getEndTime()});
                lines.add(String.format(
                        "BENCH-BEAN %s %.1f ms", name, e.getDuration().toNanos() / 1e6));
            }
        }
        intervals.sort(Comparator.comparing(i -> i[0]));
        long unionNanos = 0;
        Instant from = null;
        Instant to = null;
        for (Instant[] i : intervals) {
            if (to == null || i[0].isAfter(to)) {
                if (to != null) {
                    unionNanos += Duration.between(from, to).toNanos();
                }
                from = i[0];
                to = i[1];
            } else if (i[1].isAfter(to)) {
                to = i[1];
            }
        }
        if (to != null) {
            unionNanos += Duration.between(from, to).toNanos();
        }
        beans.sort(
                Comparator.comparing(StartupTimeline.TimelineEvent::getDuration).reversed());
        for (StartupTimeline.TimelineEvent e : beans.subList(0, Math.min(8, beans.size()))) {
            lines.add(String.format(
                    "BENCH-SLOW %s %.1f ms",
                    beanName(e.getStartupStep()), e.getDuration().toNanos() / 1e6));
        }
        lines.add(String.format("BENCH-REFRESH %.1f ms", refresh.toNanos() / 1e6));
        lines.add(String.format("BENCH-CACHE-BEANS %.1f ms %s", unionNanos / 1e6, wanted));
        lines.forEach(System.out::println);
        System.out.flush();
    }

    private static String beanName(StartupStep step) {
        for (StartupStep.Tag tag : step.getTags()) {
            if (tag.getKey().equals("beanName")) {
                return tag.getValue();
            }
        }
        return "?";
    }
}
