package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link IdempotencySettings}: negative bounds are refused by parameter and value; huge ones are capped. */
class IdempotencySettingsTest {

    @Test
    void aNegativeBoundNamesItsParameterAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().maxResponseBytes(-7));
        assertEquals("Tollgate parameter tollgate.idempotency.maxResponseBytes = \"-7\": must not be negative",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IdempotencySettings(-1, 0));
        assertEquals("Tollgate parameter tollgate.idempotency.maxRequestBytes = \"-1\": must not be negative",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().apply(Map.of(IdempotencySettings.MAX_REQUEST_BYTES, "1.5")));
        assertEquals("Tollgate parameter tollgate.idempotency.maxRequestBytes = \"1.5\": expected a whole number",
                e.getMessage());
    }

    /** An int cast used to wrap -2^32 to 0: a negative bound was taken as "nothing". */
    @Test
    void aNegativeBoundBeyondAnIntIsRefusedNotWrapped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of(IdempotencySettings.MAX_RESPONSE_BYTES, "-4294967296")));
        assertEquals("Tollgate parameter tollgate.idempotency.maxResponseBytes = \"-4294967296\": must not be negative",
                e.getMessage());
    }

    @Test
    void aBoundBeyondAnIntIsCapped() {
        IdempotencySettings s = TollgateConfig.builder().apply(Map.of(IdempotencySettings.MAX_REQUEST_BYTES,
                "99999999999", IdempotencySettings.MAX_RESPONSE_BYTES, "0")).build().idempotency();
        assertEquals(new IdempotencySettings(Integer.MAX_VALUE, 0), s);
        assertEquals(new IdempotencySettings(1 << 20, 1 << 20), TollgateConfig.builder().build().idempotency());
    }
}
