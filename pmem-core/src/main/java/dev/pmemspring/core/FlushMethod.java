package dev.pmemspring.core;

/**
 * What a pool's persist point does, chosen at open from its {@link Durability}, its
 * {@link MappingMode} and the device's {@link PersistenceDomain}: the cheapest that keeps the
 * durability promised.
 *
 * <table>
 *   <caption>Flush methods</caption>
 *   <tr><th>method</th><th>when</th></tr>
 *   <tr><td>{@link #FENCE}</td><td>{@code process} durability; or {@code sync} on a DAX mapping whose
 *       persistence domain is {@link PersistenceDomain#CPU_CACHE}</td></tr>
 *   <tr><td>{@link #CACHE_WRITE_BACK}</td><td>{@code sync} on a DAX mapping otherwise</td></tr>
 *   <tr><td>{@link #MSYNC}</td><td>{@code sync} on a page-cache mapping</td></tr>
 * </table>
 */
public enum FlushMethod {
    /** A store-store fence only: no system call, no cache write-back. */
    FENCE,
    /** The range's CPU cache lines are written back to the device, then a fence. */
    CACHE_WRITE_BACK,
    /** {@code msync} of the range's pages. */
    MSYNC;

    /** The method for a pool opened in {@code durability} with {@code mapping} on a device of {@code domain}. */
    public static FlushMethod of(Durability durability, MappingMode mapping, PersistenceDomain domain) {
        if (durability == Durability.PROCESS) {
            return FENCE;
        }
        if (mapping == MappingMode.DAX_SYNC) {
            return domain == PersistenceDomain.CPU_CACHE ? FENCE : CACHE_WRITE_BACK;
        }
        return MSYNC;
    }
}
