package dev.pmemspring.cache.redis.internal;

import dev.pmemspring.cache.redis.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis commands against a real server: what XINFO reports after trimming, the epoch marker, blocking reads. */
class StreamClientTest {

    @TempDir
    Path dir;

    @Test
    void reports_what_was_trimmed_and_keeps_one_epoch() {
        try (RedisServer server = RedisServer.start(dir)) {
            LettuceConnectionFactory factory = server.connectionFactory();
            try (RedisConnection c = factory.getConnection()) {
                StreamClient stream = new StreamClient("s", 150);
                assertThat(stream.state(c)).isEqualTo(StreamClient.StreamState.MISSING);
                String epoch = stream.epoch(c);
                assertThat(stream.epoch(c)).isEqualTo(epoch);

                StreamId first = stream.append(c, Map.of(new byte[] {'x'}, new byte[] {1}));
                StreamId last = first;
                for (int i = 0; i < 400; i++) {
                    last = stream.append(c, Map.of(new byte[] {'x'}, new byte[] {1}));
                }
                StreamClient.StreamState state = stream.state(c);
                assertThat(state.exists()).isTrue();
                assertThat(state.lastGenerated()).isEqualTo(last);
                assertThat(state.maxDeleted()).as("trimming is not deletion").isNull();
                assertThat(state.firstEntry())
                        .isNotNull()
                        .satisfies(f -> assertThat(f.isAfter(first)).isTrue());
                assertThat(state.trimmedPast(first)).isTrue();
                assertThat(state.trimmedPast(StreamId.ZERO))
                        .as("followed from the beginning")
                        .isTrue();
                assertThat(state.everRemoved()).isTrue();
                assertThat(state.trimmedPast(last)).isFalse();

                List<?> after = stream.read(c, last, 10, Duration.ZERO);
                assertThat(after).isEmpty();
                long start = System.nanoTime();
                assertThat(stream.read(c, last, 10, Duration.ofMillis(300))).isEmpty();
                assertThat(System.nanoTime() - start)
                        .isGreaterThan(Duration.ofMillis(250).toNanos());
            } finally {
                factory.destroy();
            }
        }
    }
}
