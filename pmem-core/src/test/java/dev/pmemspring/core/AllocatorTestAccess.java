package dev.pmemspring.core;

import java.util.Map;

/** Lets tests in other packages reuse the allocator tests' checks. */
public final class AllocatorTestAccess {

    private AllocatorTestAccess() {}

    public static void assertNoOverlap(Map<Long, Long> blocks) {
        AllocatorTest.assertNoOverlap(blocks);
    }
}
