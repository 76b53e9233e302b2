package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link IdentificationSettings}: a header that is not a header name is refused, by parameter and value. */
class IdentificationSettingsTest {

    @Test
    void aHeaderNameWithASpaceNamesTheParameterAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().apiKeyHeader("X API Key"));
        assertEquals("Tollgate parameter tollgate.apiKeyHeader = \"X API Key\": not a header name: X API Key",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IdentificationSettings(null, true));
        assertEquals("Tollgate parameter tollgate.apiKeyHeader = \"null\": not a header name: null", e.getMessage());
    }

    @Test
    void parametersSetTheHeaderAndTheBearerSwitch() {
        IdentificationSettings s = TollgateConfig.builder()
                .apply(Map.of("tollgate.apiKeyHeader", "X-Key", "tollgate.bearerTokens", "false")).build()
                .identification();
        assertEquals(new IdentificationSettings("X-Key", false), s);
        assertEquals(new IdentificationSettings("X-API-Key", true), TollgateConfig.builder().build().identification());
    }
}
