package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link CrossingStore#inMemory}: the contract, and its bound. */
class MemoryCrossingStoreTest extends CrossingStoreContract {

    private final CrossingStore store = CrossingStore.inMemory(1_000);

    @Override
    CrossingStore store() {
        return store;
    }

    @Test
    void pastItsBoundTheLongestRememberedCrossingIsForgotten() {
        CrossingStore s = CrossingStore.inMemory(2);
        assertTrue(s.fire("low", "a", T));
        assertTrue(s.fire("low", "b", T));
        assertTrue(s.fire("low", "c", T)); // forgets a
        assertFalse(s.fire("low", "b", T));
        assertTrue(s.fire("low", "a", T)); // fires once more while still low, as documented
        assertThrows(IllegalArgumentException.class, () -> CrossingStore.inMemory(0));
    }
}
