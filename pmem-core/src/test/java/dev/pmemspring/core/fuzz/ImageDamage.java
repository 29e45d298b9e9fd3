package dev.pmemspring.core.fuzz;

import dev.pmemspring.core.internal.file.PoolLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * One way a pool file gets damaged, applied to a copy of an image: what a bad disk block, another
 * program's bug, a copy taken while the pool was in use or a power cut in {@code process}
 * durability leave behind.
 */
sealed interface ImageDamage {

    int PAGE = PoolLayout.PAGE;

    byte[] apply(PoolImages images);

    /** Flips {@code count} random bits. */
    record BitFlips(long seed, int count) implements ImageDamage {
        @Override
        public byte[] apply(PoolImages images) {
            byte[] image = images.after.clone();
            Random random = new Random(seed);
            for (int i = 0; i < count; i++) {
                int at = offset(random, image.length);
                image[at] ^= (byte) (1 << random.nextInt(8));
            }
            return image;
        }
    }

    /** Sets an aligned 8-byte word to a value that breaks assumptions: 0, -1, huge, near the file size. */
    record WordSet(long seed) implements ImageDamage {
        @Override
        public byte[] apply(PoolImages images) {
            byte[] image = images.after.clone();
            Random random = new Random(seed);
            int at = offset(random, image.length) & ~7;
            long[] values = {
                0,
                -1,
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                Integer.MAX_VALUE,
                image.length,
                image.length - 8,
                image.length + 4096L,
                1L << 40,
                random.nextLong()
            };
            long value = values[random.nextInt(values.length)];
            for (int b = 0; b < 8 && at + b < image.length; b++) {
                image[at + b] = (byte) (value >>> (8 * b));
            }
            return image;
        }
    }

    /** Zeroes, randomizes or copies from elsewhere one page. */
    record PageDamage(long seed, Kind kind) implements ImageDamage {
        enum Kind {
            ZEROED,
            RANDOMIZED,
            COPIED
        }

        @Override
        public byte[] apply(PoolImages images) {
            byte[] image = images.after.clone();
            Random random = new Random(seed);
            int page = offset(random, image.length) / PAGE * PAGE;
            switch (kind) {
                case ZEROED -> Arrays.fill(image, page, page + PAGE, (byte) 0);
                case RANDOMIZED -> {
                    byte[] noise = new byte[PAGE];
                    random.nextBytes(noise);
                    System.arraycopy(noise, 0, image, page, PAGE);
                }
                case COPIED -> {
                    int from = random.nextInt(image.length / PAGE) * PAGE;
                    System.arraycopy(images.after, from, image, page, PAGE);
                }
            }
            return image;
        }
    }

    /** Cuts the file short. */
    record Truncated(long seed) implements ImageDamage {
        @Override
        public byte[] apply(PoolImages images) {
            Random random = new Random(seed);
            int length = random.nextBoolean()
                    ? random.nextInt(images.after.length)
                    : images.after.length - PAGE * (1 + random.nextInt(16));
            return Arrays.copyOf(images.after, Math.max(0, length));
        }
    }

    /**
     * A torn write: of the pages the last round of writes changed, a random subset reached the
     * file and the rest kept their earlier contents, as after a power cut with no persist point.
     */
    record TornWrite(long seed) implements ImageDamage {
        @Override
        public byte[] apply(PoolImages images) {
            byte[] image = images.after.clone();
            Random random = new Random(seed);
            for (int page = 0; page < image.length; page += PAGE) {
                if (!Arrays.equals(images.before, page, page + PAGE, images.after, page, page + PAGE)
                        && random.nextBoolean()) {
                    System.arraycopy(images.before, page, image, page, PAGE);
                }
            }
            return image;
        }
    }

    /** Half of the offsets fall in the metadata before the first chunk, where one word says much. */
    private static int offset(Random random, int length) {
        int metadata = (int) PoolLayout.of(PoolImages.OPTIONS.size(), PoolLayout.DEFAULT_LANES)
                .chunkDataOffset();
        return random.nextBoolean() ? random.nextInt(Math.min(metadata, length)) : random.nextInt(length);
    }
}
