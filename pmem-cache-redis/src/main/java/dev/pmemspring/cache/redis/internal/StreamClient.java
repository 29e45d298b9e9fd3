package dev.pmemspring.cache.redis.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStreamCommands;
import org.springframework.data.redis.connection.RedisStringCommands;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.types.Expiration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Redis commands the coherence uses, on one stream and its epoch marker: XADD (trimmed to
 * about {@code maxLength} entries), XREAD, XINFO STREAM, and SET NX / GET of {@code <stream>:epoch}.
 * Every call takes the connection to use, so the caller decides which connection blocks.
 */
public final class StreamClient {

    private final String stream;
    private final byte[] streamKey;
    private final byte[] epochKey;
    private final long maxLength;

    public StreamClient(String stream, long maxLength) {
        this.stream = stream;
        this.streamKey = stream.getBytes(StandardCharsets.UTF_8);
        this.epochKey = (stream + ":epoch").getBytes(StandardCharsets.UTF_8);
        this.maxLength = maxLength;
    }

    public String stream() {
        return stream;
    }

    /** Appends an entry; returns its id. */
    public StreamId append(RedisConnection connection, Map<byte[], byte[]> fields) {
        RecordId id = connection
                .streamCommands()
                .xAdd(
                        MapRecord.create(streamKey, fields),
                        RedisStreamCommands.XAddOptions.maxlen(maxLength).approximateTrimming(true));
        if (id == null) {
            throw new IllegalStateException("XADD to " + stream + " returned no id");
        }
        return StreamId.parse(id.getValue());
    }

    /** Up to {@code count} entries after {@code after}, waiting up to {@code block} for one (zero: not at all). */
    public List<ByteRecord> read(RedisConnection connection, StreamId after, int count, Duration block) {
        StreamReadOptions options = StreamReadOptions.empty().count(count);
        if (!block.isZero()) {
            options = options.block(block);
        }
        List<ByteRecord> records = connection
                .streamCommands()
                .xRead(options, StreamOffset.create(streamKey, ReadOffset.from(after.toString())));
        return records == null ? List.of() : records;
    }

    /**
     * The stream's epoch: a marker kept beside it, made by the first instance that finds none. A
     * Redis that lost its data (restarted without persistence, failed over to a replica without
     * it, or had the keys deleted) has lost the marker too, and the next instance makes a new one.
     */
    public String epoch(RedisConnection connection) {
        RedisStringCommands strings = connection.stringCommands();
        strings.set(
                epochKey,
                UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8),
                Expiration.persistent(),
                RedisStringCommands.SetOption.ifAbsent());
        byte[] epoch = strings.get(epochKey);
        if (epoch == null) {
            throw new IllegalStateException("the epoch marker " + stream + ":epoch vanished as it was read");
        }
        return new String(epoch, StandardCharsets.UTF_8);
    }

    /** What XINFO STREAM says of the stream; {@link StreamState#MISSING} if there is none. */
    public StreamState state(RedisConnection connection) {
        StreamInfo.XInfoStream info;
        try {
            info = connection.streamCommands().xInfo(streamKey);
        } catch (DataAccessException e) {
            if (String.valueOf(e.getMostSpecificCause().getMessage()).contains("no such key")) {
                return StreamState.MISSING;
            }
            throw e;
        }
        return info == null ? StreamState.MISSING : StreamState.of(info.getRaw());
    }

    /**
     * A stream's state.
     *
     * @param exists        whether the key exists
     * @param lastGenerated the last id Redis handed out ({@code 0-0} for none)
     * @param maxDeleted    the largest id removed by XDEL (Redis 7 and later; trimming does not move it), or null
     * @param firstEntry    the oldest entry still held, or null when empty
     * @param everRemoved   whether any entry was ever trimmed or deleted (entries-added above length)
     */
    public record StreamState(
            boolean exists,
            StreamId lastGenerated,
            @Nullable StreamId maxDeleted,
            @Nullable StreamId firstEntry,
            boolean everRemoved) {

        public static final StreamState MISSING = new StreamState(false, StreamId.ZERO, null, null, false);

        /**
         * Whether entries after {@code position} may be gone. Trimming removes the oldest entries and
         * never the newest, so while {@code position} itself is still held nothing after it was
         * trimmed; once the oldest entry held is younger than {@code position}, entries between the
         * two may have been, and the answer is yes (conservative: a resync, never a missed change).
         */
        public boolean trimmedPast(StreamId position) {
            if (maxDeleted != null && maxDeleted.isAfter(position)) {
                return true;
            }
            if (position.equals(StreamId.ZERO)) {
                return everRemoved; // followed from the stream's very beginning: every entry must still be there
            }
            return firstEntry != null && firstEntry.isAfter(position);
        }

        /** Reads the fields Redis returned ({@code recorded-first-entry-id} and {@code max-deleted-entry-id} since Redis 7). */
        static StreamState of(Map<String, Object> raw) {
            Object last = raw.get("last-generated-id");
            Object deleted = raw.get("max-deleted-entry-id");
            StreamId firstEntry = null;
            Object recorded = raw.get("recorded-first-entry-id");
            Object first = raw.get("first-entry");
            if (first instanceof Map<?, ?> entry && !entry.isEmpty()) {
                firstEntry = StreamId.parse(text(entry.keySet().iterator().next()));
            } else if (first instanceof List<?> entry && !entry.isEmpty()) {
                firstEntry = StreamId.parse(text(entry.get(0)));
            } else if (recorded != null && first != null) {
                firstEntry = StreamId.parse(text(recorded));
            }
            StreamId maxDeleted = deleted == null ? null : StreamId.parse(text(deleted));
            long added = number(raw.get("entries-added"));
            long length = number(raw.get("length"));
            return new StreamState(
                    true,
                    last == null ? StreamId.ZERO : StreamId.parse(text(last)),
                    maxDeleted == null || maxDeleted.equals(StreamId.ZERO) ? null : maxDeleted,
                    firstEntry,
                    added < 0 || added > length);
        }

        /** A number Redis returned, or -1 when it returned none (before Redis 7, entries-added is absent). */
        private static long number(@Nullable Object o) {
            return o == null ? -1 : Long.parseLong(text(o));
        }

        private static String text(Object o) {
            return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
        }
    }
}
