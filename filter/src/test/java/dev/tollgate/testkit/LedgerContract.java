package dev.tollgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tollgate.Money;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link Ledger} must pass, as a JUnit 5 test class to extend: money is held, then
 * charged or returned exactly once; concurrent reservations never overspend; overdue holds return
 * their money once; idempotency keys replay, conflict and are forgotten as Tollgate expects;
 * refusals say why; and, for a ledger whose {@link Ledger#commitsActualAmounts()} is true, a commit
 * of an actual amount charges exactly that, returns the rest once and refuses more than the hold.
 * Shipped in the {@code tollgate-filter} test-jar.
 *
 * <p>A subclass says how to make its ledger and its accounts, and how to make time pass for holds:
 * <pre>{@code
 * class MyLedgerContractTest extends LedgerContract {
 *     private final MutableClock clock = new MutableClock();
 *     private MyLedger ledger;
 *     protected Ledger createLedger() { return ledger = new MyLedger(clock); }
 *     protected void openAccount(String id, Money balance, Set<String> entitlements) { ... }
 *     protected void makeHoldsOverdue() { clock.advance(Duration.ofHours(1)); }
 *     protected int expireOverdueHolds() { return ledger.expireOverdueHolds(); }
 * }
 * }</pre>
 * No rule sleeps: time passes only through {@link #makeHoldsOverdue()}. Each test gets a fresh
 * ledger from {@link #createLedger()} and opens its own accounts.
 */
public abstract class LedgerContract {

    /** The ledger under test, made fresh for each test. */
    protected Ledger ledger;

    private final AtomicInteger generatedKeys = new AtomicInteger();

    /**
     * Makes the ledger under test, with no accounts (or none the rules use), holds that expire after
     * a timeout that {@link #makeHoldsOverdue()} can pass, and the clock it needs.
     *
     * @return the ledger
     * @throws Exception if it cannot be made
     */
    protected abstract Ledger createLedger() throws Exception;

    /**
     * Opens an account in the ledger under test.
     *
     * @param id the account id
     * @param balance the opening balance, in the account's unit
     * @param entitlements its entitlements; empty unless {@link #grantsEntitlements()}
     * @throws Exception if it cannot be opened
     */
    protected abstract void openAccount(String id, Money balance, Set<String> entitlements) throws Exception;

    /**
     * Makes every hold open now overdue: moves the ledger's clock past the hold timeout, or backdates
     * the holds in its store. Never sleeps.
     *
     * @throws Exception if time cannot be moved
     */
    protected abstract void makeHoldsOverdue() throws Exception;

    /**
     * Has the ledger expire its overdue holds now (its sweep).
     *
     * @return how many holds expired
     */
    protected abstract int expireOverdueHolds();

    /**
     * Whether {@link #openAccount} can give an account entitlements; ledgers whose accounts have
     * none are still checked for refusing a missing one.
     *
     * @return true by default
     */
    protected boolean grantsEntitlements() {
        return true;
    }

    /**
     * Releases what the ledger under test holds (connections, threads); called after each test.
     *
     * @param ledger the ledger
     * @throws Exception if it cannot be closed
     */
    protected void closeLedger(Ledger ledger) throws Exception {
        if (ledger instanceof AutoCloseable c) {
            c.close();
        }
    }

    @BeforeEach
    final void createLedgerUnderTest() throws Exception {
        ledger = createLedger();
    }

    @AfterEach
    final void closeLedgerUnderTest() throws Exception {
        if (ledger != null) {
            closeLedger(ledger);
        }
    }

    // ---------------------------------------------------------------- rules

    @Test
    void holdThenCommitChargesExactlyOnce() throws Exception {
        openAccount("commit-1", credits("10"), Set.of());
        Reservation.Authorized a = authorized(ledger.reserve(charge("commit-1", "3")));
        assertMoney(credits("7"), a.balance(), "the balance after the hold");
        assertMoney(credits("3"), a.hold().amount(), "the hold's amount");
        assertEquals("commit-1", a.hold().account());
        assertMoney(credits("7"), balance("commit-1"), "held money is not available");

        assertEquals(Settlement.COMMITTED, ledger.commit(a.hold(), null));
        assertMoney(credits("7"), balance("commit-1"), "the commit charges the hold, nothing more");
        assertEquals(Settlement.COMMITTED, ledger.commit(a.hold(), null), "a repeated commit reports the state");
        assertEquals(Settlement.COMMITTED, ledger.release(a.hold()), "a release after a commit changes nothing");
        assertMoney(credits("7"), balance("commit-1"), "charged once");
    }

    @Test
    void releaseReturnsTheMoneyExactlyOnce() throws Exception {
        openAccount("release-1", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(charge("release-1", "4"))).hold();
        assertMoney(credits("6"), balance("release-1"), "held");

        assertEquals(Settlement.RELEASED, ledger.release(hold));
        assertMoney(credits("10"), balance("release-1"), "the release returns the hold");
        assertEquals(Settlement.RELEASED, ledger.release(hold), "a repeated release reports the state");
        assertEquals(Settlement.RELEASED, ledger.commit(hold, null), "a released hold is never charged");
        assertMoney(credits("10"), balance("release-1"), "returned once, charged never");
    }

    @Test
    void concurrentReservationsNeverOverspend() throws Exception {
        openAccount("race-1", credits("10"), Set.of());
        int threads = 32;
        List<Reservation> outcomes = concurrently(threads, () -> ledger.reserve(charge("race-1", "1")));
        List<Hold> holds = new ArrayList<>();
        for (Reservation r : outcomes) {
            if (r instanceof Reservation.Authorized a) {
                holds.add(a.hold());
            } else {
                assertEquals(DenialReason.INSUFFICIENT_FUNDS, assertInstanceOf(Reservation.Denied.class, r).reason());
            }
        }
        assertEquals(10, holds.size(), "exactly the balance is held, never more");
        assertMoney(credits("0"), balance("race-1"), "spent to zero, not below");
        for (Hold h : holds) {
            assertEquals(Settlement.RELEASED, ledger.release(h));
        }
        assertMoney(credits("10"), balance("race-1"), "every hold returned once");
    }

    @Test
    void amountsAreExactDecimals() throws Exception {
        openAccount("exact-1", credits("0.3"), Set.of());
        List<Hold> holds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            holds.add(authorized(ledger.reserve(charge("exact-1", "0.1"))).hold());
        }
        assertMoney(credits("0"), balance("exact-1"), "0.1 three times is exactly 0.3");
        Reservation.Denied d = denied(ledger.reserve(charge("exact-1", "0.1")), DenialReason.INSUFFICIENT_FUNDS);
        assertMoney(credits("0.1"), d.price(), "the denial names the price");
        assertEquals(Settlement.COMMITTED, ledger.commit(holds.get(0), null));
        assertEquals(Settlement.RELEASED, ledger.release(holds.get(1)));
        assertMoney(credits("0.1"), balance("exact-1"), "exactly one tenth came back");
    }

    @Test
    void insufficientFundsIsDeniedAndHoldsNothing() throws Exception {
        openAccount("poor-1", credits("2"), Set.of());
        Reservation.Denied d = denied(ledger.reserve(charge("poor-1", "3")), DenialReason.INSUFFICIENT_FUNDS);
        assertMoney(credits("3"), d.price(), "the price asked");
        if (d.balance() != null) {
            assertMoney(credits("2"), d.balance(), "the balance, when the denial reports it");
        }
        assertMoney(credits("2"), balance("poor-1"), "nothing was held");
    }

    @Test
    void unknownAccountIsDeniedAndNotFound() {
        Reservation.Denied d = denied(ledger.reserve(charge("nobody-1", "1")), DenialReason.UNKNOWN_ACCOUNT);
        assertMoney(credits("1"), d.price(), "the price asked");
        assertTrue(ledger.account("nobody-1").isEmpty(), "no such account");
    }

    @Test
    void missingEntitlementIsDeniedAndHoldsNothing() throws Exception {
        openAccount("basic-1", credits("10"), Set.of());
        Reservation.Denied d = denied(ledger.reserve(new Charge("basic-1", credits("1"), "pro", "GET /pro",
                generated())), DenialReason.MISSING_ENTITLEMENT);
        assertEquals("pro", d.entitlement());
        assertMoney(credits("10"), balance("basic-1"), "nothing was held");

        if (grantsEntitlements()) {
            openAccount("pro-1", credits("10"), Set.of("pro"));
            assertTrue(ledger.account("pro-1").orElseThrow().entitlements().contains("pro"));
            Hold h = authorized(ledger.reserve(new Charge("pro-1", credits("1"), "pro", "GET /pro", generated())))
                    .hold();
            assertEquals(Settlement.COMMITTED, ledger.commit(h, null));
            assertMoney(credits("9"), balance("pro-1"), "an entitled account pays the price");
        }
    }

    @Test
    void aZeroPriceHoldsAndChargesNothing() throws Exception {
        openAccount("free-1", credits("5"), Set.of());
        Reservation.Authorized a = authorized(ledger.reserve(charge("free-1", "0")));
        assertTrue(a.hold().amount().isZero(), "nothing held");
        assertEquals(Settlement.COMMITTED, ledger.commit(a.hold(), null));
        assertMoney(credits("5"), balance("free-1"), "nothing charged");
    }

    @Test
    void aPriceInAnotherUnitIsDenied() throws Exception {
        openAccount("unit-1", credits("10"), Set.of());
        Money euros = Money.parse("1", "EUR");
        Reservation.Denied d = denied(ledger.reserve(new Charge("unit-1", euros, null, "GET /eur", generated())),
                DenialReason.CURRENCY_MISMATCH);
        assertEquals("EUR", d.price().currency());
        assertMoney(credits("10"), balance("unit-1"), "nothing was held");
    }

    @Test
    void anOverdueHoldExpiresAndReturnsItsMoneyExactlyOnce() throws Exception {
        openAccount("expiry-1", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(charge("expiry-1", "4"))).hold();
        makeHoldsOverdue();
        assertEquals(1, expireOverdueHolds(), "the overdue hold expires");
        assertMoney(credits("10"), balance("expiry-1"), "its money came back");
        assertEquals(0, expireOverdueHolds(), "and only once");
        assertEquals(Settlement.EXPIRED, ledger.commit(hold, null), "an expired hold is never charged");
        assertEquals(Settlement.EXPIRED, ledger.release(hold), "nor returned twice");
        assertMoney(credits("10"), balance("expiry-1"), "returned exactly once");
    }

    @Test
    void aLateCommitOfAnOverdueHoldExpiresItInsteadOfCharging() throws Exception {
        openAccount("late-1", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(charge("late-1", "4"))).hold();
        makeHoldsOverdue();
        assertEquals(Settlement.EXPIRED, ledger.commit(hold, null), "no sweep ran: the commit finds it overdue");
        assertMoney(credits("10"), balance("late-1"), "the money came back");
        assertEquals(0, expireOverdueHolds(), "nothing left to expire");
        assertMoney(credits("10"), balance("late-1"), "once");
    }

    @Test
    void aHoldTheLedgerNeverIssuedIsNeitherChargedNorReturned() throws Exception {
        openAccount("stranger-1", credits("10"), Set.of());
        Hold forged = new Hold("987654321", "stranger-1", credits("5"), Instant.now().plusSeconds(600));
        assertNotEquals(Settlement.RELEASED, ledger.release(forged), "no money for an unknown hold");
        assertNotEquals(Settlement.COMMITTED, ledger.commit(forged, null));
        assertMoney(credits("10"), balance("stranger-1"), "unchanged");
    }

    @Test
    void anIdempotentRetryIsReplayedNotCharged() throws Exception {
        openAccount("idem-1", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(keyed("idem-1", "3", "key-1", "fp-a"))).hold();
        RecordedResponse first = response("{\"quote\":42}");
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, first));

        Reservation.Replay replay = assertInstanceOf(Reservation.Replay.class,
                ledger.reserve(keyed("idem-1", "3", "key-1", "fp-a")), "the same request with the same key");
        assertEquals(first, replay.response(), "the first response, status, headers and body");
        assertMoney(credits("7"), balance("idem-1"), "charged once");
    }

    @Test
    void aKeyInUseIsAConflictUntilItsRequestEnds() throws Exception {
        openAccount("busy-1", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(keyed("busy-1", "3", "key-2", "fp-a"))).hold();
        Reservation.Conflict running = assertInstanceOf(Reservation.Conflict.class,
                ledger.reserve(keyed("busy-1", "3", "key-2", "fp-a")));
        assertEquals(Reservation.ConflictKind.IN_PROGRESS, running.kind());
        assertMoney(credits("7"), balance("busy-1"), "the retry held nothing");

        assertEquals(Settlement.RELEASED, ledger.release(hold));
        Hold again = authorized(ledger.reserve(keyed("busy-1", "3", "key-2", "fp-a"))).hold();
        assertEquals(Settlement.COMMITTED, ledger.commit(again, response("ok")));
        assertMoney(credits("7"), balance("busy-1"), "a released key can be used again, and is charged once");
    }

    @Test
    void aKeyReusedForAnotherRequestIsAConflict() throws Exception {
        openAccount("reuse-1", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(keyed("reuse-1", "3", "key-3", "fp-a"))).hold();
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, response("first")));
        Reservation.Conflict reused = assertInstanceOf(Reservation.Conflict.class,
                ledger.reserve(keyed("reuse-1", "3", "key-3", "fp-b")), "same key, different request");
        assertEquals(Reservation.ConflictKind.KEY_REUSED, reused.kind());
        assertMoney(credits("7"), balance("reuse-1"), "nothing more held or charged");
    }

    @Test
    void keysArePerAccount() throws Exception {
        openAccount("keys-a", credits("10"), Set.of());
        openAccount("keys-b", credits("10"), Set.of());
        Hold a = authorized(ledger.reserve(keyed("keys-a", "1", "shared-key", "fp-a"))).hold();
        Hold b = authorized(ledger.reserve(keyed("keys-b", "1", "shared-key", "fp-b"))).hold();
        assertEquals(Settlement.COMMITTED, ledger.commit(a, response("a")));
        assertEquals(Settlement.COMMITTED, ledger.commit(b, response("b")));
        assertMoney(credits("9"), balance("keys-a"), "each account pays for its own request");
        assertMoney(credits("9"), balance("keys-b"), "each account pays for its own request");
    }

    @Test
    void concurrentDuplicatesAreHeldOnce() throws Exception {
        openAccount("dup-1", credits("10"), Set.of());
        List<Reservation> outcomes = concurrently(16, () -> ledger.reserve(keyed("dup-1", "2", "key-4", "fp-a")));
        long authorized = outcomes.stream().filter(Reservation.Authorized.class::isInstance).count();
        assertEquals(1, authorized, "one request runs; its duplicates wait or conflict");
        for (Reservation r : outcomes) {
            if (!(r instanceof Reservation.Authorized)) {
                assertEquals(Reservation.ConflictKind.IN_PROGRESS,
                        assertInstanceOf(Reservation.Conflict.class, r).kind());
            }
        }
        assertMoney(credits("8"), balance("dup-1"), "held once");
    }

    @Test
    void anExpiredInProgressKeyCanBeUsedAgain() throws Exception {
        openAccount("stale-1", credits("10"), Set.of());
        authorized(ledger.reserve(keyed("stale-1", "3", "key-5", "fp-a")));
        makeHoldsOverdue();
        expireOverdueHolds();
        Hold again = authorized(ledger.reserve(keyed("stale-1", "3", "key-5", "fp-a"))).hold();
        assertEquals(Settlement.COMMITTED, ledger.commit(again, response("ok")));
        assertMoney(credits("7"), balance("stale-1"), "the expired attempt cost nothing, the retry once");
    }

    // ---------------------------------------------------------------- metered calls (actual amounts)

    @Test
    void aPartialCommitChargesTheActualAmountAndReturnsTheRestOnce() throws Exception {
        assumeTrue(ledger.commitsActualAmounts(), "this ledger does not charge part of a hold");
        openAccount("metered-1", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(charge("metered-1", "8"))).hold();
        assertMoney(credits("2"), balance("metered-1"), "the maximum is held");

        assertEquals(Settlement.COMMITTED, ledger.commit(hold, credits("2.5"), null));
        assertMoney(credits("7.5"), balance("metered-1"), "charged 2.5, the other 5.5 returned");
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, credits("1"), null), "a second commit reports the state");
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, null), "so does a plain commit");
        assertEquals(Settlement.COMMITTED, ledger.release(hold), "a release after the commit changes nothing");
        assertMoney(credits("7.5"), balance("metered-1"), "charged once, returned once");
    }

    @Test
    void aPartialCommitOfZeroChargesNothing() throws Exception {
        assumeTrue(ledger.commitsActualAmounts(), "this ledger does not charge part of a hold");
        openAccount("metered-2", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(charge("metered-2", "4"))).hold();
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, credits("0"), null));
        assertMoney(credits("10"), balance("metered-2"), "nothing charged, all returned");
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, credits("0"), null));
        assertMoney(credits("10"), balance("metered-2"), "returned once");
    }

    @Test
    void anActualAmountAboveTheHoldOrInAnotherUnitIsRefusedAndChangesNothing() throws Exception {
        assumeTrue(ledger.commitsActualAmounts(), "this ledger does not charge part of a hold");
        openAccount("metered-3", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(charge("metered-3", "3"))).hold();
        assertThrows(IllegalArgumentException.class, () -> ledger.commit(hold, credits("3.000001"), null));
        assertThrows(IllegalArgumentException.class, () -> ledger.commit(hold, Money.parse("1", "EUR"), null));
        assertMoney(credits("7"), balance("metered-3"), "still held, not charged");
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, credits("3"), null), "the hold is still open");
        assertMoney(credits("7"), balance("metered-3"), "the whole hold charged once");
    }

    @Test
    void aPartialCommitOfAReleasedHoldChargesNothing() throws Exception {
        assumeTrue(ledger.commitsActualAmounts(), "this ledger does not charge part of a hold");
        openAccount("metered-4", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(charge("metered-4", "5"))).hold();
        assertEquals(Settlement.RELEASED, ledger.release(hold));
        assertEquals(Settlement.RELEASED, ledger.commit(hold, credits("2"), null));
        assertMoney(credits("10"), balance("metered-4"), "returned once, charged never");
    }

    @Test
    void aMeteredIdempotentRetryIsReplayedNotCharged() throws Exception {
        assumeTrue(ledger.commitsActualAmounts(), "this ledger does not charge part of a hold");
        openAccount("metered-5", credits("10"), Set.of());
        Hold hold = authorized(ledger.reserve(keyed("metered-5", "6", "key-m", "fp-a"))).hold();
        RecordedResponse first = response("{\"words\":120}");
        assertEquals(Settlement.COMMITTED, ledger.commit(hold, credits("2"), first));
        assertMoney(credits("8"), balance("metered-5"), "charged the actual amount");

        Reservation.Replay replay = assertInstanceOf(Reservation.Replay.class,
                ledger.reserve(keyed("metered-5", "6", "key-m", "fp-a")), "the same request with the same key");
        assertEquals(first, replay.response());
        assertMoney(credits("8"), balance("metered-5"), "a replay charges nothing more");
    }

    // ---------------------------------------------------------------- helpers

    /** {@return an amount of the default unit, {@code credits}} */
    protected static Money credits(String amount) {
        return Money.credits(amount);
    }

    /** {@return an account's available balance, as the ledger reports it} */
    protected Money balance(String account) {
        return ledger.account(account).orElseThrow(() -> new AssertionError("no account " + account)).balance();
    }

    /** {@return a charge without a client key} */
    protected Charge charge(String account, String price) {
        return new Charge(account, credits(price), null, "GET /contract", generated());
    }

    /** {@return a charge with a client idempotency key} */
    protected static Charge keyed(String account, String price, String key, String fingerprint) {
        return new Charge(account, credits(price), null, "POST /contract", new Idempotency(key, fingerprint, true));
    }

    private Idempotency generated() {
        return new Idempotency("generated-" + generatedKeys.incrementAndGet() + "-" + System.nanoTime(), "", false);
    }

    /** {@return a small recorded response} */
    protected static RecordedResponse response(String body) {
        return new RecordedResponse(200, List.of(Map.entry("Content-Type", "application/json")),
                body.getBytes(StandardCharsets.UTF_8), true);
    }

    private static Reservation.Authorized authorized(Reservation r) {
        return assertInstanceOf(Reservation.Authorized.class, r, () -> "expected a hold, got " + r);
    }

    private static Reservation.Denied denied(Reservation r, DenialReason reason) {
        Reservation.Denied d = assertInstanceOf(Reservation.Denied.class, r, () -> "expected a denial, got " + r);
        assertEquals(reason, d.reason());
        return d;
    }

    /** Asserts equal amounts (whatever their scale) in the same unit. */
    protected static void assertMoney(Money expected, Money actual, String what) {
        assertEquals(expected.currency(), actual.currency(), what + ": unit");
        assertEquals(0, expected.amount().compareTo(actual.amount()),
                () -> what + ": expected " + expected + ", was " + actual);
    }

    private static <T> List<T> concurrently(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            assertFalse(out.contains(null), "every call answered");
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
