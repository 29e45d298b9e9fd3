package dev.pmemspring.cache;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of what a {@link CacheCoherence} is doing, as health checks, meters and the actuator
 * show it. Counters run since this process started.
 *
 * @param state        see {@link State}
 * @param reason       why the state is not {@link State#UP}, or null
 * @param channel      where changes travel (for Redis: the stream's key), or null
 * @param position     the last change from elsewhere that was applied here (for Redis: a stream id), or null
 * @param pending      local changes recorded but not yet sent
 * @param published    local changes sent to peers
 * @param applied      changes from peers applied here
 * @param skipped      changes read back from the channel that this instance made itself
 * @param resyncs      times changes could not be replayed (channel trimmed or lost) and caches were cleared
 * @param forcedClears caches cleared by resyncs, or because too many changes could not be sent
 * @param lagMillis    time from the last applied change's write on its instance to its application
 *                     here (across hosts it includes their clock difference), or -1 before the first
 * @param lastResync   why the last resync happened, or null
 */
public record CoherenceStatus(
        State state,
        @Nullable String reason,
        @Nullable String channel,
        @Nullable String position,
        long pending,
        long published,
        long applied,
        long skipped,
        long resyncs,
        long forcedClears,
        double lagMillis,
        @Nullable String lastResync) {

    /** What a coherence is doing. */
    public enum State {
        /** No coherence configured: each instance keeps its own caches. */
        NONE,
        /** Catching up with changes made while this instance was away. */
        STARTING,
        /** Sending and applying changes. */
        UP,
        /**
         * The channel is away or behind: caches keep serving and writing, local changes wait to be
         * sent, and changes made elsewhere arrive late. {@link #reason()} says why.
         */
        DEGRADED,
        /** Stopped with the application. */
        STOPPED
    }

    /** The status of {@link CacheCoherence#NONE}. */
    public static final CoherenceStatus NONE =
            new CoherenceStatus(State.NONE, null, null, null, 0, 0, 0, 0, 0, 0, -1, null);
}
