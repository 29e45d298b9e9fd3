package dev.pmemspring.core.internal.map;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Lets tests in other packages place keys in the map's table on purpose. */
public final class MapTestAccess {

    private MapTestAccess() {}

    /**
     * {@code n} keys {@code prefix + i} that fall into one stripe of a new map at one start slot,
     * so putting them in order fills consecutive slots.
     */
    public static List<byte[]> collidingKeys(String prefix, int n) {
        List<byte[]> keys = new ArrayList<>();
        long first = -1;
        for (int i = 0; keys.size() < n; i++) {
            byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
            long hash = KeyHash.of(key);
            long place = hash & ((long) MapHeader.STRIPES * MapHeader.INITIAL_STRIPE_SIZE - 1);
            if (first < 0) {
                first = place;
            }
            if (place == first) {
                keys.add(key);
            }
        }
        return keys;
    }
}
