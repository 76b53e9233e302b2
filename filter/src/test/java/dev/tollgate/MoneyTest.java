package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MoneyTest {

    @Test
    void equalAmountsAreEqualWhateverTheirScale() {
        assertEquals(Money.credits("5"), Money.credits("5.00"));
        assertEquals(Money.credits("5"), new Money(new BigDecimal("5.0"), "credits"));
        assertEquals("0.25 credits", Money.credits("0.250").toString());
        assertEquals("500 credits", new Money(new BigDecimal("5E+2"), "credits").toString());
    }

    @Test
    void arithmeticIsExact() {
        Money m = Money.credits("0");
        for (int i = 0; i < 10; i++) {
            m = m.plus(Money.credits("0.1"));
        }
        assertEquals(Money.credits("1"), m);
        assertEquals(Money.credits("0.7"), Money.credits("1").minus(Money.credits("0.3")));
        assertTrue(Money.credits("5").covers(Money.credits("5.000")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "abc", "", "1e3", "1,5", " 5", "+5", ".5", "5."})
    void parseRejectsAnythingButPlainDecimals(String text) {
        assertThrows(IllegalArgumentException.class, () -> Money.credits(text));
    }

    @Test
    void rejectsNegativeResultsMixedUnitsAndExcessPrecision() {
        assertThrows(IllegalArgumentException.class, () -> Money.credits("1").minus(Money.credits("2")));
        assertThrows(IllegalArgumentException.class, () -> Money.credits("1").plus(Money.parse("1", "EUR")));
        assertThrows(IllegalArgumentException.class, () -> Money.credits("0.0000000000000000001"));
        assertThrows(IllegalArgumentException.class, () -> Money.parse("1", "cred its"));
        assertThrows(IllegalArgumentException.class, () -> Money.credits("1" + "0".repeat(20)), "21 integer digits");
        assertEquals(Money.credits("9".repeat(20) + "." + "9".repeat(18)),
                Money.credits("9".repeat(20) + "." + "9".repeat(18)), "NUMERIC(38,18) fits exactly");
    }
}
