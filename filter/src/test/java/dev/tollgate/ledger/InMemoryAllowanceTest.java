package dev.tollgate.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.Money;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Reservation;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testkit.AllowanceContract;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-memory ledger follows the allowance rules; periods and their boundaries driven by a clock. */
class InMemoryAllowanceTest extends AllowanceContract {

    private final MutableClock clock = new MutableClock(Instant.parse("2027-01-15T10:00:00Z"));

    @Override
    protected Ledger createLedger() {
        // Holds outlive a month here, so that a rollover does not expire them.
        return InMemoryLedger.builder().clock(clock).holdTimeout(Duration.ofDays(40)).build();
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void startNextPeriod() {
        clock.advance(Duration.ofDays(31));
    }

    @Test
    void anchorDay31StartsFebruarysPeriodOnItsLastDay() {
        Allowance a = Allowance.calls("p", 5, 31);
        assertEquals(Instant.parse("2027-01-31T00:00:00Z"), a.periodStart(Instant.parse("2027-02-27T23:59:59Z")));
        assertEquals(Instant.parse("2027-02-28T00:00:00Z"), a.periodStart(Instant.parse("2027-02-28T00:00:00Z")));
        assertEquals(Instant.parse("2027-02-28T00:00:00Z"), a.resetsAt(Instant.parse("2027-01-31T00:00:00Z")));
        assertEquals(Instant.parse("2027-03-31T00:00:00Z"), a.resetsAt(Instant.parse("2027-02-28T00:00:00Z")));
        assertEquals(Instant.parse("2028-02-29T00:00:00Z"), a.periodStart(Instant.parse("2028-03-01T12:00:00Z")));
        Allowance calendar = Allowance.calls("p", 5, 1);
        assertEquals(Instant.parse("2027-02-01T00:00:00Z"), calendar.periodStart(Instant.parse("2027-02-28T23:00:00Z")));
        assertEquals(Instant.parse("2027-03-01T00:00:00Z"), calendar.resetsAt(Instant.parse("2027-02-01T00:00:00Z")));
    }

    @Test
    void theResetHappensExactlyAtTheAnchorInstant() {
        MutableClock c = new MutableClock(Instant.parse("2027-02-27T23:59:59Z"));
        InMemoryLedger l = InMemoryLedger.builder().clock(c).build();
        l.openAccount("a", Money.credits("10"), Set.of());
        l.setAllowance("a", Allowance.calls("p", 1, 31), null);
        assertEquals(Instant.parse("2027-02-28T00:00:00Z"), l.allowance("a").orElseThrow().resetsAt());
        l.reserve(charge("a"));
        l.reserve(charge("a")); // the call is used: the balance pays
        assertEquals(0, new BigDecimal("9").compareTo(l.account("a").orElseThrow().balance().amount()));
        c.advance(Duration.ofSeconds(1)); // 2027-02-28T00:00:00Z: the period of the 31st, clamped
        Reservation.Authorized a = assertInstanceOf(Reservation.Authorized.class, l.reserve(charge("a")));
        assertEquals(0, new BigDecimal("9").compareTo(a.balance().amount()), "covered by the new period's call");
        assertEquals(0, BigDecimal.ZERO.compareTo(a.allowance().remaining()));
        assertEquals(Instant.parse("2027-03-31T00:00:00Z"), a.allowance().resetsAt());
    }

    @Test
    void badAllowancesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Allowance.calls("p", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Allowance.calls("p", Allowance.MAX_CALLS + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Allowance.calls("p", 5, 0));
        assertThrows(IllegalArgumentException.class, () -> Allowance.calls("p", 5, 32));
        assertThrows(IllegalArgumentException.class, () -> Allowance.calls(" ", 5, 1));
        assertThrows(IllegalArgumentException.class, () -> Allowance.credits("p", Money.credits("-1"), 1));
        assertThrows(IllegalArgumentException.class, () -> new Allowance("p", Allowance.Unit.CALLS, new BigDecimal("1.5"),
                null, 1));
    }

    private static Charge charge(String account) {
        return new Charge(account, Money.credits("1"), null, "GET t", new Idempotency("k" + System.nanoTime(), "", false));
    }
}
