package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.ledger.InMemoryLedger;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ComponentSettings}: empty names are refused by name; instances and names are only candidates. */
class ComponentSettingsTest {

    @Test
    void anEmptyClassNameNamesItsParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ComponentSettings(
                null, null, null, null, null, null, null, null, "", null, null));
        assertEquals("Tollgate parameter tollgate.rateLimit.store = \"\": must not be empty", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().apply(Map.of(ComponentSettings.ACCOUNTS, "  ")));
        assertEquals("Tollgate parameter tollgate.ledger.accounts = \"\": must not be empty", e.getMessage());
    }

    @Test
    void aMissingInstanceIsANullPointerNamingIt() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> TollgateConfig.builder().ledger(null));
        assertEquals("ledger", e.getMessage());
    }

    @Test
    void instancesAndClassNamesAreKeptSideBySide() {
        InMemoryLedger ledger = InMemoryLedger.builder().build();
        ComponentSettings c = TollgateConfig.builder().ledger(ledger)
                .apply(Map.of("tollgate.ledger", "com.example.Ledger", "tollgate.renderer", "com.example.Renderer"))
                .build().components();
        assertSame(ledger, c.ledger());
        assertEquals("com.example.Ledger", c.ledgerClass());
        assertEquals("com.example.Renderer", c.rendererClass());
        assertNull(c.payerResolver());
        assertNull(c.payerResolverClass());
    }
}
