package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
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

    /**
     * Issue 9, item 7: {@code {"amount":1e400000}} cost an admin API 2.5 s and a 400 KB error, and
     * {@code 1e1000000} about 20 s of CPU. The refusal must be quick and its message short.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1e400000", "1e1000000", "1e-400000", "1e-1000000", "-1e1000000", "123456789e2147483647"})
    void hugeExponentsAreRefusedWithoutWorkThatGrowsWithThem(String json) {
        BigDecimal amount = new BigDecimal(json); // what a JSON parser hands over: cheap, 1 unscaled digit
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(IllegalArgumentException.class, () -> new Money(amount, "credits")));
        assertTrue(e.getMessage().length() < 200, () -> e.getMessage().length() + " characters");
    }

    @Test
    void longTextIsRefusedBeforeItIsParsedAndNeverEchoedWhole() {
        String million = "9".repeat(1_000_000);
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(IllegalArgumentException.class, () -> Money.credits(million)));
        assertTrue(e.getMessage().length() < 200, () -> e.getMessage().length() + " characters");
        assertTrue(e.getMessage().contains(String.valueOf(Money.MAX_TEXT_LENGTH)), e.getMessage());

        String junk = "x".repeat(Money.MAX_TEXT_LENGTH);
        IllegalArgumentException notDecimal = assertThrows(IllegalArgumentException.class, () -> Money.credits(junk));
        assertTrue(notDecimal.getMessage().length() < 200, notDecimal::getMessage);
        IllegalArgumentException unit = assertThrows(IllegalArgumentException.class,
                () -> Money.parse("1", "u".repeat(100_000)));
        assertTrue(unit.getMessage().length() < 200, () -> unit.getMessage().length() + " characters");
    }

    @Test
    void hugeUnscaledValuesAreRefusedButTrailingZerosWithinTheBoundAreNot() {
        BigDecimal tenToTheMillion = new BigDecimal(BigInteger.TEN.pow(1_000_000), 1_000_000); // 1.000…0
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(IllegalArgumentException.class, () -> new Money(tenToTheMillion, "credits")));
        assertTrue(e.getMessage().length() < 200, () -> e.getMessage().length() + " characters");
        assertEquals(Money.credits("5"), new Money(new BigDecimal("5." + "0".repeat(300)), "credits"));
        assertEquals(Money.credits("5"), Money.credits("000005.00000"));
        assertEquals(Money.credits("0.000000000000000001"), new Money(new BigDecimal("1e-18"), "credits"));
        assertEquals(Money.credits("1" + "0".repeat(19)), new Money(new BigDecimal("1e19"), "credits"));
    }
}
