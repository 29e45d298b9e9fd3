package dev.pmemspring.core.crashsim;

/**
 * A crash image on which recovery or an invariant failed. The message names the scenario, the seed
 * to replay it with, the crash point and the event around it, and which pending stores the image
 * kept and lost.
 */
public final class CrashConsistencyError extends AssertionError {

    private static final long serialVersionUID = 1L;

    private final long seed;
    private final int point;

    CrashConsistencyError(String message, Throwable cause, long seed, int point) {
        super(message, cause);
        this.seed = seed;
        this.point = point;
    }

    /** The seed that replays the run ({@code -Dpmem.crashsim.seed}). */
    public long seed() {
        return seed;
    }

    /** The crash point of the failing image ({@code -Dpmem.crashsim.point} checks it alone). */
    public int point() {
        return point;
    }
}
