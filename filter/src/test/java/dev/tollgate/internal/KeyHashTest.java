package dev.tollgate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.spi.ApiKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    private static final List<String> KEYS = List.of("demo-gold", "tg_live_abcdefghijklmnopqrstuvwxyz012345", "",
            "k\u00e9y-\u20ac-\uD83D\uDE00", "x".repeat(KeyHash.BUFFER), "y".repeat(KeyHash.BUFFER + 1),
            "\u007f\u0000\u0001");

    @Test
    void isTheHashLedgersStore() {
        for (String key : KEYS) {
            KeyHash hash = KeyHash.of(key);
            assertEquals(ApiKey.hash(key), hash.hex(), key);
            assertTrue(hash.matches(ApiKey.hash(key)), key);
            assertEquals(hash, KeyHash.parse(ApiKey.hash(key)), key);
            assertEquals(hash.hashCode(), KeyHash.parse(hash.hex()).hashCode(), key);
        }
    }

    @Test
    void aShortKeyAfterALongOneLeavesNoTraceOfIt() {
        KeyHash.of("z".repeat(400)); // fills the per-thread buffer
        assertEquals(ApiKey.hash("ab"), KeyHash.of("ab").hex());
    }

    @Test
    void otherHashesDoNotMatch() {
        KeyHash gold = KeyHash.of("demo-gold");
        String silver = ApiKey.hash("demo-silver");
        assertFalse(gold.matches(silver));
        assertNotEquals(gold, KeyHash.parse(silver));
        String hex = gold.hex();
        assertFalse(gold.matches(hex.toUpperCase(java.util.Locale.ROOT)), "upper-case is not the stored form");
        assertFalse(gold.matches(hex.substring(1)));
        assertFalse(gold.matches(null));
        assertFalse(gold.matches(hex.substring(0, 63) + "g"));
        // a different last digit: only the last long differs
        char last = hex.charAt(63);
        assertFalse(gold.matches(hex.substring(0, 63) + (last == '0' ? '1' : '0')));
    }

    @Test
    void malformedHexIsNoHash() {
        assertNull(KeyHash.parse(null));
        assertNull(KeyHash.parse("ab"));
        assertNull(KeyHash.parse("G".repeat(64)));
        assertNull(KeyHash.parse("A".repeat(64)));
        assertEquals(0L, KeyHash.parse("0".repeat(64)).h0());
    }

    @Test
    void toStringDoesNotGiveTheHashAway() {
        KeyHash hash = KeyHash.of("demo-gold");
        assertFalse(hash.toString().contains(hash.hex().substring(0, 16)), hash.toString());
    }
}
