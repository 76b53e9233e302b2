package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link BillingSettings}: bad statuses and delays are refused by parameter and value. */
class BillingSettingsTest {

    @Test
    void anUnknownStatusClassNamesTheParameterAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().billableStatuses("2xx,7xx"));
        assertEquals("Tollgate parameter tollgate.billableStatuses = \"2xx,7xx\": \"7xx\" is not a status code,"
                + " a range such as 200-299 or a class such as 2xx", e.getMessage());
    }

    @Test
    void aDelayUnderOneSecondIsShownAsGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().ledgerRetryAfter(Duration.ofMillis(500)));
        assertEquals("Tollgate parameter tollgate.ledgerRetryAfter = \"PT0.5S\": must be at least 1 second",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().apply(Map.of(BillingSettings.LEDGER_RETRY_AFTER, "0")));
        assertEquals("Tollgate parameter tollgate.ledgerRetryAfter = \"0\": must be at least 1 second", e.getMessage(),
                "a parameter is quoted as written, in seconds");
    }

    @Test
    void statusesAreParsedOnce() {
        BillingSettings b = TollgateConfig.builder().apply(Map.of("tollgate.billableStatuses", " 200-299, 304 ",
                "tollgate.ledgerRetryAfter", "7")).build().billing();
        assertTrue(b.isBillable(204) && b.isBillable(304));
        assertFalse(b.isBillable(302));
        assertEquals("200-299, 304", b.billableStatuses());
        assertEquals(Duration.ofSeconds(7), b.ledgerRetryAfter());
        assertEquals("2xx", TollgateConfig.builder().build().billing().billableStatuses());
    }
}
