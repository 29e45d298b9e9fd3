package dev.pmemspring.core.crashsim;

import java.util.function.Predicate;

/**
 * Which crash points and which subsets of pending stores a simulation checks.
 *
 * <p>At each crash point it checks the two extremes (every pending store lost, every one
 * present); when at most {@link #singlesLimit} words are pending, every image with exactly one
 * word present and every image with exactly one word lost; the same per pending store event
 * (a fill or copy is one event of many words) when at most that many events are pending; and
 * {@link #randomSubsets} random subsets (independent coin flips with p = 0.5, 0.25 or 0.75, and
 * in-order prefixes). Images seen before (by fingerprint) are skipped.
 *
 * <p>{@code -Dpmem.crashsim.samples=N} explores longer on demand: it sets the random subsets per
 * point of an exhaustive exploration, and the number of crash points of a sampled one.
 *
 * @param exhaustive every crash point ({@code true}) or {@link #points} random ones
 * @param points crash points to sample when not exhaustive (the end of the recording always counts)
 * @param randomSubsets random subsets per crash point
 * @param singlesLimit most pending words (and, separately, store events) for which the one-present /
 *                     one-lost images are made
 */
public record Exploration(boolean exhaustive, int points, int randomSubsets, int singlesLimit, Predicate<Event> focus) {

    public static final int DEFAULT_SINGLES_LIMIT = 24;

    /** Every crash point, with the extremes, the single-word subsets and {@code randomSubsets} random ones. */
    public static Exploration exhaustive(int randomSubsets) {
        return new Exploration(true, 0, randomSubsets, DEFAULT_SINGLES_LIMIT, null);
    }

    /** {@code points} random crash points, each as {@link #exhaustive} would check it. */
    public static Exploration sampled(int points, int randomSubsets) {
        return new Exploration(false, points, randomSubsets, DEFAULT_SINGLES_LIMIT, null);
    }

    public Exploration withSinglesLimit(int limit) {
        return new Exploration(exhaustive, points, randomSubsets, limit, focus);
    }

    /**
     * Also checks, in a sampled exploration, every crash point just before and just after each event
     * {@code focus} accepts (e.g. the events of an undo-log extension, by their site).
     */
    public Exploration withFocus(Predicate<Event> focus) {
        return new Exploration(exhaustive, points, randomSubsets, singlesLimit, focus);
    }

    /** This exploration as {@code -Dpmem.crashsim.samples} asks for, if it is set. */
    Exploration withOverrides() {
        Integer samples = Integer.getInteger("pmem.crashsim.samples");
        if (samples == null) {
            return this;
        }
        return exhaustive
                ? new Exploration(true, 0, samples, singlesLimit, focus)
                : new Exploration(false, samples, randomSubsets, singlesLimit, focus);
    }

    @Override
    public String toString() {
        return (exhaustive
                        ? "every crash point"
                        : points + " sampled crash points" + (focus == null ? "" : " and the focus"))
                + ", extremes"
                + (singlesLimit > 0 ? ", single-word subsets (up to " + singlesLimit + " pending words)" : "")
                + " and " + randomSubsets + " random subsets per point";
    }
}
