package dev.pmemspring.core;

/**
 * What a completed write survives. Every pool write that must be durable before a later one goes
 * through one persist barrier; this chooses what that barrier does.
 *
 * <table>
 *   <caption>Durability modes</caption>
 *   <tr><th>mode</th><th>flush</th><th>survives</th></tr>
 *   <tr><td>{@link #SYNC}</td><td>write-back of the range: CPU cache write-back on DAX
 *       ({@code MAP_SYNC}), {@code msync} elsewhere</td><td>process crash, OS crash, power loss</td></tr>
 *   <tr><td>{@link #PROCESS}</td><td>none, only a store-store fence (no system call)</td>
 *       <td>process crash and {@code kill -9}; not an OS crash or power loss</td></tr>
 * </table>
 */
public enum Durability {
    /** Flush every persist point to the media: survives power loss. */
    SYNC,
    /** Order stores only: survives the process dying, not the machine. */
    PROCESS
}
