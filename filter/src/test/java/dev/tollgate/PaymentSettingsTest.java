package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PaymentSettings}: scheme names are checked, by parameter and value, and kept in order. */
class PaymentSettingsTest {

    @Test
    void aMalformedOrRepeatedNameNamesTheParameterAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().schemes("account", "Test Token"));
        assertEquals("Tollgate parameter tollgate.schemes = \"account,Test Token\": \"Test Token\" is not a payment"
                + " scheme name (1 to 64 characters of a-z, 0-9, '.', '_', '-')", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().apply(Map.of(PaymentSettings.SCHEMES, "account, account")));
        assertEquals("Tollgate parameter tollgate.schemes = \"account, account\": the payment scheme \"account\" is"
                + " named twice", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder().schemes());
        assertEquals("Tollgate parameter tollgate.schemes = \"\": name at least one payment scheme", e.getMessage());
    }

    @Test
    void namesAreStrippedAndKeptInOrder() {
        assertEquals(List.of("account"), TollgateConfig.builder().build().payments().schemes());
        assertEquals(List.of("x402", "account"), TollgateConfig.builder()
                .apply(Map.of("tollgate.schemes", " x402 , account")).build().schemes());
    }
}
