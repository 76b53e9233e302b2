package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** {@link TimeSettings}: set in code only; {@code null} means Tollgate's own (system clock, own thread). */
class TimeSettingsTest {

    @Test
    void theClockIsTheOneGivenAndNullIsRefusedByName() {
        assertEquals(new TimeSettings(null, null), TollgateConfig.builder().build().time());
        MutableClock clock = new MutableClock();
        assertSame(clock, TollgateConfig.builder().clock(clock).build().time().clock());
        assertEquals("clock", assertThrows(NullPointerException.class,
                () -> TollgateConfig.builder().clock(null)).getMessage());
    }
}
