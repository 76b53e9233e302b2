package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link ProblemSettings}: the type prefix must be an absolute URI, and a refusal says which was given. */
class ProblemSettingsTest {

    @Test
    void aRelativeOrMalformedPrefixNamesTheParameterAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().problemTypeBase("problems/"));
        assertEquals("Tollgate parameter tollgate.problemTypeBase = \"problems/\": not an absolute URI: problems/",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ProblemSettings(null));
        assertEquals("Tollgate parameter tollgate.problemTypeBase = \"null\": not a URI: null", e.getMessage());
    }

    @Test
    void theDefaultIsTollgates() {
        assertEquals("https://tollgate.dev/problems/", TollgateConfig.builder().build().problems().problemTypeBase());
        assertEquals("urn:example:",
                TollgateConfig.builder().problemTypeBase("urn:example:").build().problemTypeBase());
    }
}
