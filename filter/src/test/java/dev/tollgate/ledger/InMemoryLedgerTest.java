package dev.tollgate.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;

class InMemoryLedgerTest {

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger keys = new AtomicInteger();

    private InMemoryLedger ledger(String balance, String... entitlements) {
        return InMemoryLedger.builder().clock(clock).holdTimeout(Duration.ofMinutes(1))
                .account("acct", Money.credits(balance), entitlements).build();
    }

    private Charge charge(String price) {
        return new Charge("acct", Money.credits(price), null, "GET test",
                new Idempotency("gen-" + keys.incrementAndGet(), "", false));
    }

    private Charge keyed(String price, String key, String fingerprint) {
        return new Charge("acct", Money.credits(price), null, "POST test", new Idempotency(key, fingerprint, true));
    }

    private static Money balance(InMemoryLedger l) {
        return l.account("acct").orElseThrow().balance();
    }

    private static final RecordedResponse OK = new RecordedResponse(200, List.of(Map.entry("Content-Type", "text/plain")),
            "ok".getBytes(StandardCharsets.UTF_8), true);

    /** Issue 12 review: the deprecated shorthand never silently moves a key imported for another account. */
    @Test
    @SuppressWarnings("deprecation")
    void anAccountIdImportedAlreadyAsAnotherAccountsKeyIsRefusedWithoutNamingTheKey() {
        InMemoryLedger.Builder builder = InMemoryLedger.builder().account("acct_a", Money.credits("1"))
                .key("acct_a", "shared-secret-key-0123", "k");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.account("shared-secret-key-0123", Money.credits("5")));
        assertFalse(e.getMessage().contains("shared-secret-key-0123"), e.getMessage());
        assertTrue(e.getMessage().contains("\"shar\""), "names the display prefix: " + e.getMessage());
        InMemoryLedger ledger = builder.build();
        assertEquals("acct_a", ledger.findKey(dev.tollgate.spi.ApiKey.hash("shared-secret-key-0123")).orElseThrow()
                .accountId(), "the key stays with its account");
        assertTrue(ledger.account("shared-secret-key-0123").isEmpty(), "no account was added");
    }

    @Test
    void holdThenCommitChargesExactlyOnce() {
        InMemoryLedger l = ledger("10");
        Reservation.Authorized a = assertInstanceOf(Reservation.Authorized.class, l.reserve(charge("0.1")));
        assertEquals(Money.credits("9.9"), a.balance());
        assertEquals(Money.credits("9.9"), balance(l), "the hold is not available");
        assertEquals(Settlement.COMMITTED, l.commit(a.hold(), null));
        assertEquals(Settlement.COMMITTED, l.commit(a.hold(), null), "commit is idempotent");
        assertEquals(Settlement.COMMITTED, l.release(a.hold()), "a committed hold cannot be released");
        assertEquals(Money.credits("9.9"), balance(l));
        assertEquals(0, l.openHoldCount());
    }

    @Test
    void releaseReturnsTheMoneyOnce() {
        InMemoryLedger l = ledger("10");
        Hold h = ((Reservation.Authorized) l.reserve(charge("4"))).hold();
        assertEquals(Settlement.RELEASED, l.release(h));
        assertEquals(Settlement.RELEASED, l.release(h));
        assertEquals(Settlement.RELEASED, l.commit(h, null), "a released hold is never charged");
        assertEquals(Money.credits("10"), balance(l));
    }

    @Test
    void deniesUnknownAccountsMissingFundsEntitlementsAndUnits() {
        InMemoryLedger l = ledger("3", "basic");
        Reservation.Denied unknown = assertInstanceOf(Reservation.Denied.class, l.reserve(new Charge("nobody",
                Money.credits("1"), null, "r", new Idempotency("k", "", false))));
        assertEquals(DenialReason.UNKNOWN_ACCOUNT, unknown.reason());

        Reservation.Denied poor = assertInstanceOf(Reservation.Denied.class, l.reserve(charge("5")));
        assertEquals(DenialReason.INSUFFICIENT_FUNDS, poor.reason());
        assertEquals(Money.credits("3"), poor.balance());
        assertEquals(Money.credits("5"), poor.price());

        Reservation.Denied noEntitlement = assertInstanceOf(Reservation.Denied.class, l.reserve(new Charge("acct",
                Money.credits("0"), "premium", "r", new Idempotency("k2", "", false))));
        assertEquals(DenialReason.MISSING_ENTITLEMENT, noEntitlement.reason());
        assertEquals("premium", noEntitlement.entitlement());

        Reservation.Denied euro = assertInstanceOf(Reservation.Denied.class, l.reserve(new Charge("acct",
                Money.parse("1", "EUR"), null, "r", new Idempotency("k3", "", false))));
        assertEquals(DenialReason.CURRENCY_MISMATCH, euro.reason());
        assertEquals(Money.credits("3"), balance(l), "refusals hold nothing");

        assertInstanceOf(Reservation.Authorized.class, l.reserve(new Charge("acct", Money.credits("0"), "basic", "r",
                new Idempotency("k4", "", false))));
    }

    @Test
    void exactBalanceCanBeSpentToZeroButNotBelow() {
        InMemoryLedger l = ledger("1");
        for (int i = 0; i < 4; i++) {
            Hold h = ((Reservation.Authorized) l.reserve(charge("0.25"))).hold();
            l.commit(h, null);
        }
        assertEquals(Money.credits("0"), balance(l));
        assertInstanceOf(Reservation.Denied.class, l.reserve(charge("0.01")));
    }

    @Test
    void concurrentReservationsNeverOverspend() throws Exception {
        InMemoryLedger l = ledger("100");
        int threads = 64;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            results.add(pool.submit(() -> {
                start.await();
                Reservation r = l.reserve(charge("3"));
                if (r instanceof Reservation.Authorized a) {
                    l.commit(a.hold(), null);
                    return true;
                }
                return false;
            }));
        }
        start.countDown();
        int ok = 0;
        for (Future<Boolean> f : results) {
            ok += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(33, ok);
        assertEquals(Money.credits("1"), balance(l));
    }

    @Test
    void expiredHoldsReturnTheirMoneyExactlyOnce() {
        InMemoryLedger l = ledger("10");
        Hold h = ((Reservation.Authorized) l.reserve(charge("4"))).hold();
        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, l.expireOverdueHolds());
        assertEquals(0, l.expireOverdueHolds());
        assertEquals(Money.credits("10"), balance(l));
        assertEquals(Settlement.EXPIRED, l.commit(h, null), "a late commit does not charge");
        assertEquals(Settlement.EXPIRED, l.release(h), "nor does a late release pay out twice");
        assertEquals(Money.credits("10"), balance(l));
    }

    @Test
    void lateCommitExpiresLazilyWithoutSweep() {
        InMemoryLedger l = ledger("10");
        Hold h = ((Reservation.Authorized) l.reserve(charge("4"))).hold();
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Settlement.EXPIRED, l.commit(h, null));
        assertEquals(Money.credits("10"), balance(l));
    }

    @Test
    void idempotentRetryIsReplayedNotCharged() {
        InMemoryLedger l = ledger("100");
        Hold h = ((Reservation.Authorized) l.reserve(keyed("10", "k1", "fp"))).hold();
        assertInstanceOf(Reservation.Conflict.class, l.reserve(keyed("10", "k1", "fp")), "in progress");
        l.commit(h, OK);
        Reservation.Replay replay = assertInstanceOf(Reservation.Replay.class, l.reserve(keyed("10", "k1", "fp")));
        assertEquals(OK, replay.response());
        Reservation.Conflict reused = assertInstanceOf(Reservation.Conflict.class, l.reserve(keyed("10", "k1", "other")));
        assertEquals(Reservation.ConflictKind.KEY_REUSED, reused.kind());
        assertEquals(Money.credits("90"), balance(l));
    }

    /**
     * Regression (review): size-based eviction dropped the newest records, so their retries were
     * charged. Issue 9 item 2: no record is dropped before its retention ends. Bodies have their
     * own budget (review of issue 9, item 1): over it, the oldest bodies of the account holding the
     * most are dropped, and their retries are still never charged or run again.
     */
    @Test
    void overTheBodyBudgetOldBodiesAreDroppedButRetriesAreNeverChargedAgain() {
        InMemoryLedger l = InMemoryLedger.builder().clock(clock).replayMemory(1024 * 1024)
                .replayMemoryPerAccount(1024 * 1024).replayBodyMemory(1024 * 1024)
                .account("acct", Money.credits("1000")).build();
        byte[] body = new byte[200 * 1024];
        for (int i = 0; i < 10; i++) {
            Hold h = ((Reservation.Authorized) l.reserve(keyed("1", "k" + i, "fp"))).hold();
            l.commit(h, new RecordedResponse(200, List.of(), body, true));
        }
        for (int i = 0; i < 10; i++) {
            Reservation.Replay r = assertInstanceOf(Reservation.Replay.class, l.reserve(keyed("1", "k" + i, "fp")),
                    "k" + i + " must not be charged again");
            assertEquals(i >= 5, r.response().bodyRetained(), "the newest bodies that fit in 1 MiB (5 x 200 KiB)"
                    + " are kept: k" + i);
        }
        assertEquals(Money.credits("990"), balance(l));

        Hold big = ((Reservation.Authorized) l.reserve(keyed("1", "huge", "fp"))).hold();
        l.commit(big, new RecordedResponse(200, List.of(), new byte[2 * 1024 * 1024], true));
        Reservation.Replay huge = assertInstanceOf(Reservation.Replay.class, l.reserve(keyed("1", "huge", "fp")));
        assertFalse(huge.response().bodyRetained(), "a body over the whole budget is not kept, but not recharged");
        assertTrue(((Reservation.Replay) l.reserve(keyed("1", "k9", "fp"))).response().bodyRetained(),
                "a body that can never fit drops no other");
        assertEquals(Money.credits("989"), balance(l));
    }

    /**
     * Review of issue 9, item 1: under pressure the bodies of the account over its fair share go
     * first; an account holding little keeps its bodies, and every record stays.
     */
    @Test
    void bodiesOfTheHeaviestAccountAreDroppedFirst() {
        InMemoryLedger l = InMemoryLedger.builder().clock(clock).replayMemory(1024 * 1024)
                .replayBodyMemory(1024 * 1024).account("acct", Money.credits("100"))
                .account("heavy", Money.credits("0"), "premium").build();
        Hold order = ((Reservation.Authorized) l.reserve(keyed("10", "order", "fp"))).hold();
        l.commit(order, OK);
        for (int i = 0; i < 40; i++) {
            Hold h = ((Reservation.Authorized) l.reserve(new Charge("heavy", Money.credits("0"), "premium",
                    "GET premium", new Idempotency("big-" + i, "fp", true)))).hold();
            l.commit(h, new RecordedResponse(200, List.of(), new byte[100 * 1024], true));
        }
        Reservation.Replay mine = assertInstanceOf(Reservation.Replay.class, l.reserve(keyed("10", "order", "fp")));
        assertEquals(OK, mine.response(), "the light account's body survives ten times its budget of bodies");
        Reservation.Replay first = assertInstanceOf(Reservation.Replay.class, l.reserve(new Charge("heavy",
                Money.credits("0"), "premium", "GET premium", new Idempotency("big-0", "fp", true))));
        assertFalse(first.response().bodyRetained(), "the heavy account's oldest body went");
        assertEquals(200, first.response().status());
        Reservation.Replay last = assertInstanceOf(Reservation.Replay.class, l.reserve(new Charge("heavy",
                Money.credits("0"), "premium", "GET premium", new Idempotency("big-39", "fp", true))));
        assertTrue(last.response().bodyRetained(), "its newest body is kept");
        assertEquals(Money.credits("90"), balance(l));
    }

    /**
     * Review of issue 9, items 1 and 2: with the default bounds, 17 accounts each at their share
     * leave the store open to everyone else, and each got thousands of keyed calls first.
     */
    @Test
    void withDefaultBoundsSeventeenAccountsAtTheirShareLeaveRoomForTheOthers() {
        InMemoryLedger.Builder b = InMemoryLedger.builder().clock(clock).history(0)
                .account("acct", Money.credits("100"));
        for (int a = 0; a < 17; a++) {
            b.account("heavy" + a, Money.credits("0"), "premium");
        }
        InMemoryLedger l = b.build();
        RecordedResponse json = new RecordedResponse(200, List.of(Map.entry("Content-Type", "application/json")),
                new byte[1024], true);
        for (int a = 0; a < 17; a++) {
            int admitted = 0;
            Reservation last;
            while ((last = l.reserve(new Charge("heavy" + a, Money.credits("0"), "premium", "GET premium",
                    new Idempotency(java.util.UUID.randomUUID().toString(), "%064x".formatted(admitted), true))))
                    instanceof Reservation.Authorized ok) {
                l.commit(ok.hold(), json);
                admitted++;
            }
            Reservation.Denied refused = assertInstanceOf(Reservation.Denied.class, last);
            assertEquals(DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED, refused.reason(), "heavy" + a + " after "
                    + admitted);
            assertTrue(admitted > 8_000, "a 2 MiB share holds over 8,000 records with 36-character keys: "
                    + admitted);
        }
        Hold h = ((Reservation.Authorized) l.reserve(keyed("10", "order", "fp"))).hold();
        l.commit(h, OK);
        assertEquals(OK, ((Reservation.Replay) l.reserve(keyed("10", "order", "fp"))).response());
    }

    /** Review of issue 9, item 2: the 429 says when this account's oldest record expires. */
    @Test
    void recordsExhaustedRetryAfterIsWhenTheAccountsOldestRecordExpires() {
        InMemoryLedger l = InMemoryLedger.builder().clock(clock).replayMemory(1024 * 1024)
                .replayMemoryPerAccount(16 * 1024).account("acct", Money.credits("1000")).build();
        l.commit(((Reservation.Authorized) l.reserve(keyed("1", "first", "fp"))).hold(), OK);
        clock.advance(Duration.ofHours(5));
        Reservation last;
        int i = 0;
        while ((last = l.reserve(keyed("1", "k" + i++, "fp"))) instanceof Reservation.Authorized ok) {
            l.commit(ok.hold(), OK);
        }
        Reservation.Denied refused = assertInstanceOf(Reservation.Denied.class, last);
        assertEquals(DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED, refused.reason());
        assertEquals(Duration.ofHours(19), refused.retryAfter(), "the record from 5 hours ago ends first");
        clock.advance(Duration.ofHours(19));
        assertInstanceOf(Reservation.Authorized.class, l.reserve(keyed("1", "then", "fp")), "as announced");
        assertInstanceOf(Reservation.Replay.class, l.reserve(keyed("1", "k0", "fp")), "the later ones stay");
    }

    /** The 503 says when the store's oldest record expires. */
    @Test
    void storeFullRetryAfterIsWhenTheStoresOldestRecordExpires() {
        InMemoryLedger.Builder b = InMemoryLedger.builder().clock(clock).maxReplayRecords(1000);
        for (int a = 0; a < 10; a++) {
            b.account("a" + a, Money.credits("0"), "premium");
        }
        InMemoryLedger l = b.build();
        Reservation last = null;
        for (int i = 0; i < 101; i++) {
            for (int a = 0; a < 10; a++) {
                last = l.reserve(new Charge("a" + a, Money.credits("0"), "premium", "GET premium",
                        new Idempotency("k" + i, "fp", true)));
                if (last instanceof Reservation.Authorized ok) {
                    l.commit(ok.hold(), OK);
                }
            }
            if (i == 0) {
                clock.advance(Duration.ofHours(2));
            }
        }
        Reservation.Denied refused = assertInstanceOf(Reservation.Denied.class, last);
        assertEquals(DenialReason.IDEMPOTENCY_STORE_FULL, refused.reason());
        assertEquals(Duration.ofHours(22), refused.retryAfter());
    }

    /** Issue 9 item 2: one account's keys fill its own share only; the others keep theirs. */
    @Test
    void anAccountOverItsShareOfRecordsIsRefusedAndOthersAreUntouched() {
        InMemoryLedger l = InMemoryLedger.builder().clock(clock).replayMemory(1024 * 1024)
                .replayMemoryPerAccount(64 * 1024).maxReplayRecords(1000)
                .account("acct", Money.credits("100")).account("flood", Money.credits("0"), "premium").build();
        Hold victim = ((Reservation.Authorized) l.reserve(keyed("10", "order", "fp"))).hold();
        l.commit(victim, OK);
        Reservation last = null;
        int admitted = 0;
        for (int i = 0; i < 2000; i++) {
            last = l.reserve(new Charge("flood", Money.credits("0"), "premium", "GET premium",
                    new Idempotency("f" + i, "fp", true)));
            if (!(last instanceof Reservation.Authorized a)) {
                break;
            }
            l.commit(a.hold(), OK);
            admitted++;
        }
        Reservation.Denied refused = assertInstanceOf(Reservation.Denied.class, last);
        assertEquals(DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED, refused.reason());
        assertTrue(admitted > 200 && admitted < 300, "64 KiB holds about 280 records with short keys: " + admitted);
        assertEquals(Duration.ofHours(24), refused.retryAfter(), "the account's records end with their retention");
        assertInstanceOf(Reservation.Replay.class, l.reserve(keyed("10", "order", "fp")), "never evicted");
        assertInstanceOf(Reservation.Authorized.class, l.reserve(keyed("10", "next", "fp")), "own share intact");
        assertEquals(Money.credits("80"), balance(l));
        assertInstanceOf(Reservation.Authorized.class, l.reserve(new Charge("flood", Money.credits("0"), "premium",
                "GET premium", new Idempotency("gen-1", "", false))), "requests without a key still pass");

        clock.advance(Duration.ofHours(24));
        assertInstanceOf(Reservation.Authorized.class, l.reserve(new Charge("flood", Money.credits("0"), "premium",
                "GET premium", new Idempotency("after", "fp", true))), "records past their retention free the share");
    }

    /** Issue 9 item 2: when all accounts together fill the budget, new keys get 503, old records stay. */
    @Test
    void aFullRecordStoreRefusesNewKeysAndKeepsEveryRecord() {
        InMemoryLedger.Builder b = InMemoryLedger.builder().clock(clock).replayMemory(1024 * 1024)
                .replayMemoryPerAccount(64 * 1024).maxReplayRecords(1000);
        for (int a = 0; a < 30; a++) {
            b.account("a" + a, Money.credits("0"), "premium");
        }
        InMemoryLedger l = b.build();
        Reservation last = null;
        int admitted = 0;
        outer:
        for (int i = 0; i < 100; i++) {
            for (int a = 0; a < 30; a++) {
                last = l.reserve(new Charge("a" + a, Money.credits("0"), "premium", "GET premium",
                        new Idempotency("k" + i, "fp", true)));
                if (!(last instanceof Reservation.Authorized ok)) {
                    break outer;
                }
                l.commit(ok.hold(), OK);
                admitted++;
            }
        }
        Reservation.Denied refused = assertInstanceOf(Reservation.Denied.class, last);
        assertEquals(DenialReason.IDEMPOTENCY_STORE_FULL, refused.reason(), "1,000 records in all");
        assertEquals(1000, admitted);
        assertEquals(Duration.ofHours(24), refused.retryAfter(), "until the oldest record ends its retention");
        assertInstanceOf(Reservation.Replay.class, l.reserve(new Charge("a0", Money.credits("0"), "premium",
                "GET premium", new Idempotency("k0", "fp", true))), "the oldest record is still there");
    }

    /** Regression (review): reading a record used to restart its retention. */
    @Test
    void replayRetentionCountsFromTheCommitNotFromTheLastRetry() {
        InMemoryLedger l = InMemoryLedger.builder().clock(clock).replayRetention(Duration.ofHours(1))
                .account("acct", Money.credits("100")).build();
        Hold h = ((Reservation.Authorized) l.reserve(keyed("10", "k", "fp"))).hold();
        l.commit(h, OK);
        clock.advance(Duration.ofMinutes(50));
        assertInstanceOf(Reservation.Replay.class, l.reserve(keyed("10", "k", "fp")));
        clock.advance(Duration.ofMinutes(15));
        assertInstanceOf(Reservation.Authorized.class, l.reserve(keyed("10", "k", "fp")),
                "65 minutes after the commit the key is free again");
    }

    @Test
    void releasedKeyCanBeRetried() {
        InMemoryLedger l = ledger("100");
        Hold h = ((Reservation.Authorized) l.reserve(keyed("10", "k1", "fp"))).hold();
        l.release(h);
        assertInstanceOf(Reservation.Authorized.class, l.reserve(keyed("10", "k1", "fp")));
    }

    @Test
    void keysArePerAccount() {
        InMemoryLedger l = InMemoryLedger.builder().account("a", Money.credits("10")).account("b", Money.credits("10"))
                .build();
        Hold h = ((Reservation.Authorized) l.reserve(new Charge("a", Money.credits("1"), null, "r",
                new Idempotency("same", "fp", true)))).hold();
        l.commit(h, OK);
        assertInstanceOf(Reservation.Authorized.class, l.reserve(new Charge("b", Money.credits("1"), null, "r",
                new Idempotency("same", "fp", true))));
    }

    @Test
    void expiredInProgressKeyCanBeRetried() {
        InMemoryLedger l = ledger("100");
        l.reserve(keyed("10", "k1", "fp"));
        clock.advance(Duration.ofMinutes(2));
        assertInstanceOf(Reservation.Authorized.class, l.reserve(keyed("10", "k1", "fp")));
        assertEquals(Money.credits("90"), balance(l), "the first hold expired and returned its money once");
    }

    @Test
    void concurrentDuplicatesAreChargedOnce() throws Exception {
        InMemoryLedger l = ledger("100");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Reservation>> fs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            fs.add(pool.submit((Callable<Reservation>) () -> {
                start.await();
                Reservation r = l.reserve(keyed("10", "dup", "fp"));
                if (r instanceof Reservation.Authorized a) {
                    l.commit(a.hold(), OK);
                }
                return r;
            }));
        }
        start.countDown();
        int authorized = 0;
        for (Future<Reservation> f : fs) {
            Reservation r = f.get();
            authorized += r instanceof Reservation.Authorized ? 1 : 0;
            assertTrue(r instanceof Reservation.Authorized || r instanceof Reservation.Replay
                    || r instanceof Reservation.Conflict c && c.kind() == Reservation.ConflictKind.IN_PROGRESS, r::toString);
        }
        pool.shutdown();
        assertEquals(1, authorized);
        assertEquals(Money.credits("90"), balance(l));
    }

    @Test
    void loadsAccountsFromProperties() throws Exception {
        String props = """
                # demo accounts
                account.demo-gold.balance = 1000
                account.demo-gold.entitlements = premium, beta
                account.user.with.dots.balance = 0.5
                account.euro.balance = 7
                account.euro.currency = EUR
                """;
        InMemoryLedger l = InMemoryLedger.load(new ByteArrayInputStream(props.getBytes(StandardCharsets.UTF_8)));
        assertEquals(Money.credits("1000"), l.account("demo-gold").orElseThrow().balance());
        assertEquals(Set.of("premium", "beta"), l.account("demo-gold").orElseThrow().entitlements());
        assertEquals(Money.credits("0.5"), l.account("user.with.dots").orElseThrow().balance());
        assertEquals(Money.parse("7", "EUR"), l.account("euro").orElseThrow().balance());
    }

    @Test
    void malformedPropertiesNameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InMemoryLedger.load(
                new ByteArrayInputStream("account.x.balance = -1".getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("account.x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> InMemoryLedger.load(
                new ByteArrayInputStream("account.x.balanse = 1".getBytes(StandardCharsets.UTF_8))));
        assertTrue(e.getMessage().contains("account.x.balanse"), e.getMessage());
    }

    @Test
    void administration() {
        InMemoryLedger l = ledger("1");
        assertEquals(Money.credits("3.5"), l.credit("acct", Money.credits("2.5"), "top-up"));
        assertEquals(Money.credits("3"), l.debit("acct", Money.credits("0.5"), "adjustment"));
        assertThrows(IllegalStateException.class, () -> l.debit("acct", Money.credits("4"), "too much"));
        l.grant("acct", "premium");
        assertTrue(l.account("acct").orElseThrow().entitlements().contains("premium"));
        l.revoke("acct", "premium");
        assertTrue(l.account("acct").orElseThrow().entitlements().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> l.credit("acct", Money.parse("1", "EUR"), null));
        assertThrows(IllegalArgumentException.class, () -> l.credit("nobody", Money.credits("1"), null));
        assertEquals(false, l.openAccount("acct", Money.credits("1"), Set.of()));
        assertEquals(true, l.openAccount("new", Money.credits("2"), Set.of("beta")));
        assertEquals(Money.credits("2"), l.account("new").orElseThrow().balance());
    }

    /**
     * Issue 9 item 4: an admin credit that overflowed answered 400 but was applied; afterwards every
     * read of the account failed and a paid request lost the price with no hold or entry.
     */
    @Test
    void aCreditPastTheMaximumBalanceIsRefusedBeforeAnythingChanges() {
        InMemoryLedger l = ledger("100");
        Hold open = ((Reservation.Authorized) l.reserve(charge("40"))).hold();
        Money nearMax = new Money(AccountLimits.MAX_BALANCE.subtract(new BigDecimal("100")), "credits");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> l.credit("acct", nearMax.plus(Money.credits("1")), "too much"));
        assertTrue(e.getMessage().contains("maximum balance"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> l.credit("acct", Money.credits("99999999999999999999"), "way too much"));
        assertEquals(Money.credits("60"), balance(l), "nothing was applied");

        assertEquals(new Money(AccountLimits.MAX_BALANCE.subtract(new BigDecimal("40")), "credits"),
                l.credit("acct", nearMax, "up to the maximum, open hold counted"));
        assertEquals(Settlement.RELEASED, l.release(open), "a release can never overflow");
        assertEquals(new Money(AccountLimits.MAX_BALANCE, "credits"), balance(l));
        Hold paid = ((Reservation.Authorized) l.reserve(charge("5"))).hold();
        assertEquals(Settlement.COMMITTED, l.commit(paid, null));
        assertSumOfEntriesIsTheBalance(l, "acct");

        assertThrows(IllegalArgumentException.class, () -> l.openAccount("rich",
                new Money(AccountLimits.MAX_BALANCE.add(BigDecimal.ONE), "credits"), Set.of()));
        assertTrue(l.account("rich").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> InMemoryLedger.builder()
                .account("rich", Money.credits("99999999999999999999")));
    }

    /** Issue 9 item 4: after refused overflows and expiries, every balance equals its entries. */
    @Test
    void afterRefusedOverflowsEveryBalanceEqualsTheSumOfItsEntries() {
        InMemoryLedger l = InMemoryLedger.builder().clock(clock).holdTimeout(Duration.ofMinutes(1))
                .account("acct", Money.credits("50")).account("other", Money.credits("7")).build();
        l.reserve(charge("20"));
        l.reserve(new Charge("other", Money.credits("3"), null, "GET test", new Idempotency("o", "", false)));
        assertThrows(IllegalArgumentException.class, () -> l.credit("acct",
                new Money(AccountLimits.MAX_BALANCE.subtract(new BigDecimal("10")), "credits"), "overflow"));
        clock.advance(Duration.ofMinutes(2));
        assertEquals(2, l.expireOverdueHolds());
        assertEquals(Money.credits("50"), balance(l));
        assertEquals(Money.credits("7"), l.account("other").orElseThrow().balance());
        assertSumOfEntriesIsTheBalance(l, "acct");
        assertSumOfEntriesIsTheBalance(l, "other");
    }

    /** Issue 9 item 7: ids are checked by the same rules as on PostgreSQL, before anything changes. */
    @Test
    void accountIdsWithControlCharactersOrOverLongAreRefused() {
        InMemoryLedger l = ledger("10");
        String longId = "k".repeat(AccountLimits.MAX_ID_LENGTH + 1);
        for (String bad : List.of("a\u0000b", "tab\tid", longId, "", "\ud800x")) {
            assertThrows(IllegalArgumentException.class, () -> l.openAccount(bad, Money.credits("1"), Set.of()), bad);
            assertThrows(IllegalArgumentException.class, () -> l.credit(bad, Money.credits("1"), null));
            assertTrue(l.account(bad).isEmpty());
            Reservation.Denied d = assertInstanceOf(Reservation.Denied.class, l.reserve(new Charge(bad,
                    Money.credits("1"), null, "GET test", new Idempotency("g" + keys.incrementAndGet(), "", false))));
            assertEquals(DenialReason.UNKNOWN_ACCOUNT, d.reason());
        }
        assertThrows(IllegalArgumentException.class, () -> l.credit("acct", Money.credits("1"), "nul\u0000ref"));
        assertThrows(IllegalArgumentException.class, () -> l.grant("acct", "nul\u0000"));
        assertEquals(true, l.openAccount("k".repeat(AccountLimits.MAX_ID_LENGTH), Money.credits("1"), Set.of()));
        assertEquals(true, l.openAccount("caf\u00e9 \ud83d\ude00", Money.credits("1"), Set.of()));
        assertEquals(Money.credits("10"), balance(l));
    }

    private static void assertSumOfEntriesIsTheBalance(InMemoryLedger l, String id) {
        List<LedgerEntry> entries = l.statement(id, Instant.EPOCH, Instant.MAX, 10_000);
        BigDecimal available = entries.stream().map(LedgerEntry::availableDelta).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, available.compareTo(l.account(id).orElseThrow().balance().amount()), id + ": " + entries);
    }

    @Test
    void everyBalanceChangeIsAnEntryThatSumsToTheBalance() {
        InMemoryLedger l = ledger("10");
        Hold committed = ((Reservation.Authorized) l.reserve(charge("3"))).hold();
        l.commit(committed, null);
        Hold released = ((Reservation.Authorized) l.reserve(charge("2"))).hold();
        l.release(released);
        l.reserve(charge("1"));
        clock.advance(Duration.ofMinutes(2));
        l.expireOverdueHolds();
        l.credit("acct", Money.credits("5"), "top-up");
        l.debit("acct", Money.credits("1"), "fix");
        List<LedgerEntry> entries = l.statement("acct", Instant.EPOCH, Instant.MAX, 100);
        assertEquals(List.of(LedgerEntry.Kind.OPEN, LedgerEntry.Kind.HOLD, LedgerEntry.Kind.COMMIT, LedgerEntry.Kind.HOLD,
                LedgerEntry.Kind.RELEASE, LedgerEntry.Kind.HOLD, LedgerEntry.Kind.EXPIRY, LedgerEntry.Kind.CREDIT,
                LedgerEntry.Kind.DEBIT), entries.stream().map(LedgerEntry::kind).toList());
        BigDecimal available = entries.stream().map(LedgerEntry::availableDelta).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal held = entries.stream().map(LedgerEntry::heldDelta).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, available.compareTo(new BigDecimal("11")));
        assertEquals(0, held.signum());
        assertEquals(Money.credits("11"), balance(l));
        assertEquals("GET test", entries.get(1).reference());
        assertEquals(3, l.statement("acct", Instant.EPOCH, Instant.MAX, 3).size());
    }
}
