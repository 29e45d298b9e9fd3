package dev.pmemspring.cache.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** A string key's bytes are what pools written by earlier releases index: 'S' and its UTF-8, whichever path wrote them. */
class KeyEncoderTest {

    private static byte[] asBefore(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 1];
        out[0] = 'S';
        System.arraycopy(utf8, 0, out, 1, utf8.length);
        return out;
    }

    @Test
    void asciiLatinOneAndSurrogatePairsEncodeAsUtf8() {
        for (String s :
                new String[] {"", "product:4711", "caf\u00e9", "\u00ff", "\u4e2d\u6587", "a\ud83d\ude00b", "\u007f"}) {
            assertThat(KeyEncoder.encode(s)).as(s).isEqualTo(asBefore(s));
        }
    }

    @Test
    void randomStringsOfEveryRangeEncodeAsTheyDidBefore() {
        SplittableRandom random = new SplittableRandom(17);
        int[] ranges = {0x80, 0x800, 0x10000, 0x110000}; // 1, 2, 3 and 4 UTF-8 bytes
        for (int i = 0; i < 5_000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                int cp = random.nextInt(random.nextInt(4) == 0 ? ranges[random.nextInt(4)] : 0x80);
                s.appendCodePoint(cp); // lone surrogates too: the encoder's replacement, both ways
            }
            String key = s.toString();
            assertThat(KeyEncoder.encode(key)).as(key).isEqualTo(asBefore(key));
        }
    }
}
