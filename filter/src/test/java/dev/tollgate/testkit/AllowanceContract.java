package dev.tollgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.internal.Refusals;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.AllowanceAdministration;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The monthly allowance rules (issue 12) that every built-in ledger must follow: spent before the
 * balance, split holds, partial commits, releases within and across periods, the lazy reset. A ledger's
 * test extends this and says how to open an account and how to start the next period.
 */
public abstract class AllowanceContract {

    /** The account every case uses. */
    protected static final String ACCOUNT = "acct_allowance";
    private final AtomicLong keys = new AtomicLong();
    private Ledger ledger;
    private AccountAdministration accounts;
    private AllowanceAdministration allowances;

    /** {@return a fresh, empty ledger that administers accounts and allowances} */
    protected abstract Ledger createLedger();

    /**
     * Moves to the next allowance period without making holds overdue: the clock of the ledger (or what it
     * computes periods from) moves a month on.
     *
     * @throws Exception if the ledger cannot be reached
     */
    protected abstract void startNextPeriod() throws Exception;

    /** {@return the ledger's current time (what it computes periods from)} */
    protected Instant now() {
        return Instant.now();
    }

    @BeforeEach
    void setUp() {
        ledger = createLedger();
        accounts = (AccountAdministration) ledger;
        allowances = (AllowanceAdministration) ledger;
    }

    private void open(String balance, Allowance allowance) {
        accounts.openAccount(ACCOUNT, Money.credits(balance), Set.of());
        if (allowance != null) {
            allowances.setAllowance(ACCOUNT, allowance, "[admin:test] plan");
        }
    }

    private Reservation reserve(String price) {
        return ledger.reserve(new Charge(ACCOUNT, Money.credits(price), null, "GET test",
                new Idempotency("gen-" + keys.incrementAndGet(), "", false)));
    }

    private Hold hold(String price) {
        return assertInstanceOf(Reservation.Authorized.class, reserve(price)).hold();
    }

    private BigDecimal balance() {
        return accounts.account(ACCOUNT).orElseThrow().balance().amount();
    }

    private Allowance.State state() {
        return allowances.allowance(ACCOUNT).orElseThrow();
    }

    private static void same(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected " + expected + ", got " + actual);
    }

    private List<LedgerEntry> entries(LedgerEntry.Kind kind) {
        return accounts.statement(ACCOUNT, Instant.EPOCH, Instant.now().plusSeconds(86_400 * 400), 1000).stream()
                .filter(e -> e.kind() == kind).toList();
    }

    @Test
    void creditsAreSpentBeforeTheBalanceAndAHoldIsSplit() {
        open("100", Allowance.credits("starter", Money.credits("10"), 1));
        Hold first = hold("4");
        same("100", balance());
        same("6", state().remaining());
        Hold second = hold("8"); // 6 from the allowance, 2 from the balance
        same("98", balance());
        same("0", state().remaining());
        same("10", state().used());
        assertEquals(Settlement.COMMITTED, ledger.commit(first, null));
        assertEquals(Settlement.COMMITTED, ledger.commit(second, null));
        same("98", balance());
        List<LedgerEntry> holds = entries(LedgerEntry.Kind.HOLD);
        same("-4", holds.get(0).allowanceDelta());
        same("0", holds.get(0).availableDelta());
        same("-6", holds.get(1).allowanceDelta());
        same("-2", holds.get(1).availableDelta());
        same("2", holds.get(1).heldDelta());
        same("-2", entries(LedgerEntry.Kind.COMMIT).get(1).heldDelta());
    }

    @Test
    void callsCoverWholeChargesThenTheBalancePays() {
        open("100", Allowance.calls("starter", 2, 1));
        ledger.commit(hold("5"), null);
        ledger.commit(hold("7"), null);
        same("100", balance());
        same("0", state().remaining());
        ledger.commit(hold("5"), null);
        same("95", balance());
        same("2", state().used());
    }

    @Test
    void whenTheBalanceCannotPayItsPartNothingIsTakenFromTheAllowance() {
        open("1", Allowance.credits("starter", Money.credits("3"), 1));
        Reservation.Denied d = assertInstanceOf(Reservation.Denied.class, reserve("5"));
        assertEquals(DenialReason.INSUFFICIENT_FUNDS, d.reason());
        assertNotNull(d.allowance(), "the denial carries the allowance");
        same("3", d.allowance().remaining());
        assertEquals("starter", d.allowance().allowance().plan());
        same("3", state().remaining());
        same("1", balance());
        hold("4"); // 3 + 1 fits exactly
        same("0", balance());
    }

    @Test
    void anAccountWithoutAllowanceIsDeniedWithoutOne() {
        open("1", null);
        Reservation.Denied d = assertInstanceOf(Reservation.Denied.class, reserve("5"));
        assertNull(d.allowance());
        assertTrue(allowances.allowance(ACCOUNT).isEmpty());
    }

    @Test
    void aSmallerActualAmountReturnsTheBalancePartFirst() {
        open("10", Allowance.credits("starter", Money.credits("3"), 1));
        Hold h = hold("8"); // 3 allowance + 5 balance
        same("5", balance());
        assertEquals(Settlement.COMMITTED, ledger.commit(h, Money.credits("4"), null)); // 4 back: all to the balance
        same("9", balance());
        same("3", state().used());

        allowances.setAllowance(ACCOUNT, Allowance.credits("bigger", Money.credits("6"), 1), null); // 3 left
        Hold g = hold("8"); // 3 allowance + 5 balance
        same("4", balance());
        assertEquals(Settlement.COMMITTED, ledger.commit(g, Money.credits("1"), null)); // 7 back: 5 balance, 2 allowance
        same("9", balance());
        same("4", state().used());
        same("2", state().remaining());
    }

    @Test
    void aReleaseReturnsBothParts() {
        open("10", Allowance.credits("starter", Money.credits("3"), 1));
        Hold h = hold("5");
        same("8", balance());
        assertEquals(Settlement.RELEASED, ledger.release(h));
        same("10", balance());
        same("0", state().used());
        LedgerEntry release = entries(LedgerEntry.Kind.RELEASE).get(0);
        same("2", release.availableDelta());
        same("3", release.allowanceDelta());
    }

    @Test
    void aReleaseAfterTheRolloverDropsTheAllowancePart() throws Exception {
        open("10", Allowance.calls("starter", 2, 1));
        hold("5");
        Hold h = hold("5");
        same("0", state().remaining());
        startNextPeriod();
        same("0", state().used());
        same("2", state().remaining());
        hold("5"); // the new period's first call
        assertEquals(Settlement.RELEASED, ledger.release(h)); // the old period's call is not given to the new one
        same("10", balance());
        same("1", state().used());
        LedgerEntry release = entries(LedgerEntry.Kind.RELEASE).get(0);
        same("0", release.allowanceDelta());
        // the new period has exactly its own two calls, not three
        hold("5");
        hold("5");
        same("5", balance());
        same("2", state().used());
    }

    @Test
    void thePeriodBoundaryResetsTheUsageAtTheFirstCharge() throws Exception {
        open("10", Allowance.credits("starter", Money.credits("2"), 1));
        ledger.commit(hold("2"), null);
        same("0", state().remaining());
        startNextPeriod();
        same("0", state().used());
        same("2", state().remaining());
        ledger.commit(hold("3"), null); // 2 allowance + 1 balance
        same("9", balance());
        same("2", state().used());
    }

    @Test
    void creditsInAnotherUnitAreRefused() {
        open("10", null);
        assertThrows(IllegalArgumentException.class,
                () -> allowances.setAllowance(ACCOUNT, Allowance.credits("x", new Money(BigDecimal.TEN, "EUR"), 1), null));
        assertThrows(IllegalArgumentException.class,
                () -> allowances.setAllowance("acct_nobody", Allowance.calls("x", 5, 1), null));
        assertTrue(allowances.allowance(ACCOUNT).isEmpty());
    }

    @Test
    void removingAnAllowanceLeavesTheBalanceToPay() {
        open("10", Allowance.calls("starter", 5, 1));
        hold("1");
        same("10", balance());
        assertTrue(allowances.removeAllowance(ACCOUNT, "[admin:test]"));
        hold("1");
        same("9", balance());
        assertTrue(allowances.allowance(ACCOUNT).isEmpty());
        assertEquals(2, entries(LedgerEntry.Kind.ALLOWANCE).size());
    }

    /** The numbers read the same on every ledger: no trailing zeros, no exponent, calls whole (review 3). */
    @Test
    void allowanceNumbersArePlainInTextAndJson() throws Exception {
        open("10", Allowance.calls("starter", 2, 1));
        ledger.commit(hold("5"), null);
        assertEquals("1 1 2", state().used() + " " + state().remaining() + " " + state().allowance().limit());
        hold("5");
        hold("5"); // from the balance
        Reservation.Denied d = assertInstanceOf(Reservation.Denied.class, reserve("6"));
        try (Jsonb json = JsonbBuilder.create()) {
            assertTrue(json.toJson(Refusals.allowance(d.allowance())).contains(
                    "\"unit\":\"calls\",\"limit\":2,\"used\":2,\"remaining\":0,"), json.toJson(Refusals.allowance(d.allowance())));
        }
        assertEquals("2 0", state().used() + " " + state().remaining());
    }

    /** The same for credits. */
    @Test
    void allowanceCreditsArePlainInTextAndJson() throws Exception {
        open("10", Allowance.credits("starter", Money.credits("5"), 1));
        ledger.commit(hold("3.5"), null);
        assertEquals("3.5 1.5 5", state().used() + " " + state().remaining() + " " + state().allowance().limit());
        hold("11.5"); // 1.5 allowance + 10 balance
        Reservation.Denied d = assertInstanceOf(Reservation.Denied.class, reserve("1"));
        try (Jsonb json = JsonbBuilder.create()) {
            assertTrue(json.toJson(Refusals.allowance(d.allowance())).contains(
                    "\"unit\":\"credits\",\"limit\":5,\"used\":5,\"remaining\":0,"), json.toJson(Refusals.allowance(d.allowance())));
        }
    }

    /** A rollover with no charge yet in the new period: the old part is dropped all the same (review 4). */
    @Test
    void aReleaseAfterTheRolloverBeforeAnyNewChargeDropsTheAllowancePart() throws Exception {
        open("10", Allowance.calls("starter", 2, 1));
        Hold h = hold("5");
        startNextPeriod();
        assertEquals(Settlement.RELEASED, ledger.release(h));
        same("10", balance());
        same("0", entries(LedgerEntry.Kind.RELEASE).get(0).allowanceDelta());
        same("0", state().used());
        hold("5");
        hold("5"); // the new period's two calls
        same("10", balance());
        hold("5");
        same("5", balance());
    }

    /** The same for the allowance part a metered commit gives back: dropped, and no entry at all. */
    @Test
    void aMeteredCommitAfterTheRolloverDropsTheAllowancePart() throws Exception {
        open("10", Allowance.credits("starter", Money.credits("3"), 1));
        Hold h = hold("3"); // all from the allowance
        startNextPeriod();
        assertEquals(Settlement.COMMITTED, ledger.commit(h, Money.credits("1"), null)); // 2 back: to the old period
        same("10", balance());
        assertEquals(List.of(), entries(LedgerEntry.Kind.RELEASE));
        same("0", state().used());
        hold("4"); // 3 allowance + 1 balance: the new period has its own 3, not 5
        same("9", balance());
    }

    /** A metered commit of a covered call writes no all-zero entry; both ledgers write the same (review 5). */
    @Test
    void aMeteredCommitOfACoveredCallWritesNoEmptyEntry() {
        open("10", Allowance.calls("starter", 1, 1));
        Hold h = hold("5");
        assertEquals(Settlement.COMMITTED, ledger.commit(h, Money.credits("2"), null));
        List<String> lines = accounts.statement(ACCOUNT, Instant.EPOCH, Instant.now().plusSeconds(86_400 * 400), 100)
                .stream().filter(e -> e.kind() == LedgerEntry.Kind.HOLD || e.kind() == LedgerEntry.Kind.COMMIT
                        || e.kind() == LedgerEntry.Kind.RELEASE)
                .map(e -> e.kind() + " " + plain(e.availableDelta()) + " " + plain(e.heldDelta()) + " "
                        + plain(e.allowanceDelta())).toList();
        assertEquals(List.of("HOLD 0 0 -1", "COMMIT 0 0 0"), lines);
        same("10", balance());
        same("1", state().used());
    }

    private static String plain(BigDecimal n) {
        return n.signum() == 0 ? "0" : n.stripTrailingZeros().toPlainString();
    }

    /**
     * Changing only the anchor day keeps the usage of the current period (no fresh allowance mid-month, as
     * the docs promise); it then counts in the new anchor's current period (review 6).
     */
    @Test
    void changingOnlyTheAnchorDayKeepsTheUsage() {
        int today = now().atOffset(ZoneOffset.UTC).getDayOfMonth();
        int oldAnchor = today == 1 ? 2 : 1; // so that the new anchor's period starts later than the old one's
        open("10", Allowance.calls("starter", 2, oldAnchor));
        hold("5");
        same("1", state().used());
        allowances.setAllowance(ACCOUNT, Allowance.calls("starter", 2, today), "[admin:test] anchor");
        same("1", state().used());
        assertEquals(today, state().periodStart().atOffset(ZoneOffset.UTC).getDayOfMonth());
        hold("5"); // the period's second call
        same("10", balance());
        hold("5");
        same("5", balance());
    }
}
