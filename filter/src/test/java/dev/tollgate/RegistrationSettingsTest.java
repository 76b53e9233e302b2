package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link RegistrationSettings}: what a misspelt switch is told, and what the switches hold. */
class RegistrationSettingsTest {

    @Test
    void aSwitchThatIsNeitherTrueNorFalseNamesTheParameterAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().apply(Map.of(RegistrationSettings.AUTO_REGISTER, " no ")));
        assertEquals("Tollgate parameter tollgate.autoRegister = \"no\": expected true or false", e.getMessage());
    }

    @Test
    void bothSwitchesAreOnByDefaultAndReadInAnyCase() {
        RegistrationSettings defaults = TollgateConfig.builder().build().registration();
        assertTrue(defaults.enabled() && defaults.autoRegister(), defaults.toString());
        TollgateConfig off = TollgateConfig.builder().apply(Map.of("tollgate.enabled", "FALSE",
                "tollgate.autoRegister", "False")).build();
        assertEquals(new RegistrationSettings(false, false), off.registration());
        assertFalse(off.enabled());
    }
}
