package dev.pmemspring.core.internal.map;

/**
 * A map's persistent structure (the catalogue, a header, a table) does not hold together; the
 * message says where. The pool turns it into a {@code PoolCorruptedException} naming its file: the
 * damaged map is set aside, the rest of the pool keeps working.
 */
public final class MapDamageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MapDamageException(String message) {
        super(message);
    }
}
