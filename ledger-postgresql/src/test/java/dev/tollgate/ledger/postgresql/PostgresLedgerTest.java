package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.AccountLimits;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testing.FlakyDataSource;
import dev.tollgate.testing.Postgres;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JDBC ledger against a real PostgreSQL, in a schema of its own per test. */
class PostgresLedgerTest {

    private static HikariDataSource pool;
    private FlakyDataSource dataSource;
    private String schema;
    private PostgresLedger ledger;
    private final AtomicInteger keys = new AtomicInteger();

    @BeforeAll
    static void connect() {
        pool = Postgres.server().pool(80);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @BeforeEach
    void createSchema() {
        schema = Postgres.uniqueSchema();
        dataSource = new FlakyDataSource(pool);
        ledger = PostgresLedger.builder(dataSource).schema(schema).createSchema(true).sweepInterval(Duration.ZERO)
                .holdTimeout(Duration.ofMinutes(10)).build();
        ledger.openAccount("acct", Money.credits("10"), Set.of("basic"));
    }

    @AfterEach
    void dropSchema() throws SQLException {
        ledger.close();
        Postgres.dropSchema(pool, schema);
    }

    private Charge charge(String price) {
        return new Charge("acct", Money.credits(price), null, "GET test",
                new Idempotency("gen-" + keys.incrementAndGet(), "", false));
    }

    private Charge keyed(String price, String key, String fingerprint) {
        return new Charge("acct", Money.credits(price), null, "POST test", new Idempotency(key, fingerprint, true));
    }

    private Money balance() {
        return ledger.account("acct").orElseThrow().balance();
    }

    private void makeOverdue(Hold hold) throws SQLException {
        // Time travel without sleeping: the ledger compares expires_at with the database clock.
        sql("UPDATE " + schema + ".holds SET expires_at = now() - interval '1 second' WHERE id = " + hold.id());
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static final RecordedResponse OK = new RecordedResponse(201,
            List.of(Map.entry("Content-Type", "application/json"), Map.entry("Location", "/r/1")),
            "{\"id\":1}".getBytes(StandardCharsets.UTF_8), true);

    @Test
    void holdThenCommitChargesExactlyOnce() {
        Reservation.Authorized a = assertInstanceOf(Reservation.Authorized.class, ledger.reserve(charge("0.1")));
        assertEquals(Money.credits("9.9"), a.balance());
        assertEquals(Money.credits("9.9"), balance());
        assertEquals(Settlement.COMMITTED, ledger.commit(a.hold(), null));
        assertEquals(Settlement.COMMITTED, ledger.commit(a.hold(), null));
        assertEquals(Settlement.COMMITTED, ledger.release(a.hold()));
        assertEquals(Money.credits("9.9"), balance());
        assertEquals(0, ledger.openHoldCount());
    }

    @Test
    void releaseReturnsTheMoneyOnce() {
        Hold h = ((Reservation.Authorized) ledger.reserve(charge("4"))).hold();
        assertEquals(Settlement.RELEASED, ledger.release(h));
        assertEquals(Settlement.RELEASED, ledger.release(h));
        assertEquals(Settlement.RELEASED, ledger.commit(h, null));
        assertEquals(Money.credits("10"), balance());
        assertEquals(Settlement.UNKNOWN, ledger.commit(new Hold("999999", "acct", Money.credits("1"), Instant.now()), null));
        assertEquals(Settlement.UNKNOWN, ledger.release(new Hold("not-a-number", "acct", Money.credits("1"), Instant.now())));
    }

    @Test
    void deniesUnknownAccountsMissingFundsEntitlementsAndUnits() {
        Reservation.Denied unknown = assertInstanceOf(Reservation.Denied.class, ledger.reserve(new Charge("nobody",
                Money.credits("1"), null, "r", new Idempotency("k", "", false))));
        assertEquals(DenialReason.UNKNOWN_ACCOUNT, unknown.reason());
        Reservation.Denied poor = assertInstanceOf(Reservation.Denied.class, ledger.reserve(charge("11")));
        assertEquals(DenialReason.INSUFFICIENT_FUNDS, poor.reason());
        assertEquals(Money.credits("10"), poor.balance());
        Reservation.Denied entitlement = assertInstanceOf(Reservation.Denied.class, ledger.reserve(new Charge("acct",
                Money.credits("0"), "premium", "r", new Idempotency("k2", "", false))));
        assertEquals(DenialReason.MISSING_ENTITLEMENT, entitlement.reason());
        Reservation.Denied paidEntitlement = assertInstanceOf(Reservation.Denied.class, ledger.reserve(new Charge("acct",
                Money.credits("1"), "premium", "r", new Idempotency("k3", "", false))));
        assertEquals(DenialReason.MISSING_ENTITLEMENT, paidEntitlement.reason());
        Reservation.Denied euro = assertInstanceOf(Reservation.Denied.class, ledger.reserve(new Charge("acct",
                Money.parse("1", "EUR"), null, "r", new Idempotency("k4", "", false))));
        assertEquals(DenialReason.CURRENCY_MISMATCH, euro.reason());
        Reservation.Authorized free = assertInstanceOf(Reservation.Authorized.class, ledger.reserve(new Charge("acct",
                Money.credits("0"), "basic", "r", new Idempotency("k5", "", false))));
        assertEquals(Money.credits("0"), free.hold().amount());
        assertEquals(Settlement.COMMITTED, ledger.commit(free.hold(), null));
        assertEquals(Money.credits("10"), balance());
    }

    @Test
    void concurrentReservationsNeverOverspend() throws Exception {
        ledger.credit("acct", Money.credits("90"), "top-up"); // 100
        ExecutorService threads = Executors.newFixedThreadPool(64);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            results.add(threads.submit(() -> {
                start.await();
                Reservation r = ledger.reserve(charge("3"));
                if (r instanceof Reservation.Authorized a) {
                    ledger.commit(a.hold(), null);
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
        threads.shutdown();
        assertEquals(33, ok);
        assertEquals(Money.credits("1"), balance());
    }

    @Test
    void overdueHoldsExpireOnceByTheSweeperOrLazily() throws SQLException {
        Hold swept = ((Reservation.Authorized) ledger.reserve(charge("4"))).hold();
        Hold lazy = ((Reservation.Authorized) ledger.reserve(charge("3"))).hold();
        makeOverdue(swept);
        assertEquals(1, ledger.expireOverdueHolds());
        assertEquals(0, ledger.expireOverdueHolds());
        assertEquals(Money.credits("7"), balance());
        assertEquals(Settlement.EXPIRED, ledger.commit(swept, null), "a late commit does not charge");
        assertEquals(Settlement.EXPIRED, ledger.release(swept), "nor does a late release pay out twice");

        makeOverdue(lazy);
        assertEquals(Settlement.EXPIRED, ledger.commit(lazy, null), "the commit itself expires an overdue hold");
        assertEquals(Money.credits("10"), balance());
        assertEquals(0, ledger.expireOverdueHolds());
    }

    @Test
    void idempotentRetryIsReplayedNotCharged() {
        Hold h = ((Reservation.Authorized) ledger.reserve(keyed("5", "k1", "fp"))).hold();
        Reservation.Conflict running = assertInstanceOf(Reservation.Conflict.class, ledger.reserve(keyed("5", "k1", "fp")));
        assertEquals(Reservation.ConflictKind.IN_PROGRESS, running.kind());
        assertEquals(Reservation.ConflictKind.KEY_REUSED,
                ((Reservation.Conflict) ledger.reserve(keyed("5", "k1", "other"))).kind());
        ledger.commit(h, OK);
        Reservation.Replay replay = assertInstanceOf(Reservation.Replay.class, ledger.reserve(keyed("5", "k1", "fp")));
        assertEquals(OK, replay.response());
        assertEquals(Reservation.ConflictKind.KEY_REUSED,
                ((Reservation.Conflict) ledger.reserve(keyed("5", "k1", "other"))).kind());
        assertEquals(Money.credits("5"), balance());
    }

    @Test
    void aRefusedOrReleasedKeyCanBeRetried() {
        assertInstanceOf(Reservation.Denied.class, ledger.reserve(keyed("50", "big", "fp")));
        assertInstanceOf(Reservation.Denied.class, ledger.reserve(keyed("50", "big", "fp")), "not kept when refused");
        Hold h = ((Reservation.Authorized) ledger.reserve(keyed("5", "k1", "fp"))).hold();
        ledger.release(h);
        assertInstanceOf(Reservation.Authorized.class, ledger.reserve(keyed("5", "k1", "fp")));
    }

    @Test
    void aKeyHeldByAnOverdueHoldIsFreedOnTheSpot() throws SQLException {
        Hold h = ((Reservation.Authorized) ledger.reserve(keyed("5", "k1", "fp"))).hold();
        makeOverdue(h);
        assertInstanceOf(Reservation.Authorized.class, ledger.reserve(keyed("5", "k1", "fp")));
        assertEquals(Money.credits("5"), balance(), "the first hold expired and returned its money once");
    }

    @Test
    void concurrentDuplicatesAreChargedOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Reservation>> fs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            fs.add(threads.submit((Callable<Reservation>) () -> {
                start.await();
                Reservation r = ledger.reserve(keyed("5", "dup", "fp"));
                if (r instanceof Reservation.Authorized a) {
                    ledger.commit(a.hold(), OK);
                }
                return r;
            }));
        }
        start.countDown();
        int authorized = 0;
        for (Future<Reservation> f : fs) {
            authorized += f.get() instanceof Reservation.Authorized ? 1 : 0;
        }
        threads.shutdown();
        assertEquals(1, authorized);
        assertEquals(Money.credits("5"), balance());
    }

    @Test
    void aCommitWhoseAcknowledgementWasLostIsUndoneByTheRelease() {
        Hold h = ((Reservation.Authorized) ledger.reserve(keyed("4", "k1", "fp"))).hold();
        dataSource.failAfterRunning = "WITH c AS (UPDATE";
        assertThrows(LedgerUnavailableException.class, () -> ledger.commit(h, OK));
        dataSource.failAfterRunning = null;
        assertEquals(Money.credits("6"), balance(), "the commit did take effect");
        assertEquals(Settlement.RELEASED, ledger.release(h), "the client was refused, so the charge is undone");
        assertEquals(Money.credits("10"), balance());
        assertEquals(Settlement.RELEASED, ledger.release(h));
        assertInstanceOf(Reservation.Authorized.class, ledger.reserve(keyed("4", "k1", "fp")),
                "the key is free again: the request was not served");
        List<LedgerEntry.Kind> kinds = ledger.statement("acct", Instant.EPOCH, Instant.MAX, 100).stream()
                .map(LedgerEntry::kind).toList();
        assertTrue(kinds.contains(LedgerEntry.Kind.REVERSAL), kinds.toString());
    }

    /** Issue 10, metered calls: one statement charges the actual amount and returns the rest, with entries. */
    @Test
    void aMeteredCommitWritesACommitOfTheActualAmountAndAReleaseOfTheRest() {
        Hold h = ((Reservation.Authorized) ledger.reserve(charge("8"))).hold();
        assertEquals(Settlement.COMMITTED, ledger.commit(h, Money.credits("2.5"), null));
        assertEquals(Money.credits("7.5"), balance());
        List<String> lines = ledger.statement("acct", Instant.EPOCH, Instant.MAX, 100).stream()
                .filter(e -> e.kind() != LedgerEntry.Kind.OPEN)
                .map(e -> e.kind() + " " + e.availableDelta().stripTrailingZeros().toPlainString() + " "
                        + e.heldDelta().stripTrailingZeros().toPlainString()).toList();
        assertEquals(List.of("HOLD -8 8", "COMMIT 0 -2.5", "RELEASE 5.5 -5.5"), lines);
        assertEquals(Settlement.COMMITTED, ledger.commit(h, Money.credits("1"), null), "a second commit");
        assertEquals(Money.credits("7.5"), balance(), "changes nothing");
        assertEquals(0, ledger.openHoldCount());
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /** Issue 10: undoing a metered commit whose acknowledgement was lost returns what it charged, not the hold. */
    @Test
    void aMeteredCommitWhoseAcknowledgementWasLostIsUndoneExactly() {
        Hold h = ((Reservation.Authorized) ledger.reserve(keyed("4", "k1", "fp"))).hold();
        dataSource.failAfterRunning = "WITH c AS (UPDATE";
        assertThrows(LedgerUnavailableException.class, () -> ledger.commit(h, Money.credits("1"), OK));
        dataSource.failAfterRunning = null;
        assertEquals(Money.credits("9"), balance(), "the commit did take effect: 1 charged, 3 returned");
        assertEquals(Settlement.RELEASED, ledger.release(h), "the client was refused, so the charge is undone");
        assertEquals(Money.credits("10"), balance(), "exactly the 1 charged comes back");
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /** Regression (review): a replay served between a lost commit acknowledgement and the release was then reversed. */
    @Test
    void aChargeWhoseResultWasReplayedIsNeverReversed() {
        Hold h = ((Reservation.Authorized) ledger.reserve(keyed("4", "k1", "fp"))).hold();
        dataSource.failAfterRunning = "WITH c AS (UPDATE";
        assertThrows(LedgerUnavailableException.class, () -> ledger.commit(h, OK));
        dataSource.failAfterRunning = null;
        Reservation.Replay replay = assertInstanceOf(Reservation.Replay.class, ledger.reserve(keyed("4", "k1", "fp")),
                "a retry finds the committed result");
        assertEquals(OK, replay.response());
        assertEquals(Settlement.COMMITTED, ledger.release(h), "the client has the result: the charge stands");
        assertEquals(Money.credits("6"), balance());
        assertInstanceOf(Reservation.Replay.class, ledger.reserve(keyed("4", "k1", "fp")), "and is not charged again");
        assertEquals(Money.credits("6"), balance());
    }

    /** Regression (review): a retry lazily expiring an overdue hold deadlocked with the sweeper. */
    @Test
    void aRetryNeverWaitsForAHoldSomeoneElseIsSettling() throws Exception {
        Hold h = ((Reservation.Authorized) ledger.reserve(keyed("5", "k1", "fp"))).hold();
        makeOverdue(h);
        try (Connection locker = pool.getConnection(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("SELECT 1 FROM " + schema + ".holds WHERE id = " + h.id() + " FOR UPDATE"); // a sweeper at work
            long start = System.nanoTime();
            Reservation.Conflict busy = assertInstanceOf(Reservation.Conflict.class, ledger.reserve(keyed("5", "k1", "fp")));
            assertEquals(Reservation.ConflictKind.IN_PROGRESS, busy.kind());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "answered without waiting");
            locker.rollback();
        }
        assertInstanceOf(Reservation.Authorized.class, ledger.reserve(keyed("5", "k1", "fp")),
                "once free, the overdue hold expires on the spot and the key is claimed again");
        assertEquals(Money.credits("5"), balance());
    }

    /** Regression (review): with a pool that hands out connections with auto-commit off, nothing was saved. */
    @Test
    void worksWithAPoolWhoseConnectionsDoNotAutoCommit() {
        Postgres.Server server = Postgres.server();
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(server.url());
        config.setUsername(server.user());
        config.setPassword(server.password());
        config.setAutoCommit(false);
        config.setMaximumPoolSize(4);
        try (HikariDataSource manual = new HikariDataSource(config)) {
            PostgresLedger l = PostgresLedger.builder(manual).schema(schema).sweepInterval(Duration.ZERO).build();
            Hold committed = ((Reservation.Authorized) l.reserve(charge("2"))).hold();
            assertEquals(Settlement.COMMITTED, l.commit(committed, null));
            Hold released = ((Reservation.Authorized) l.reserve(charge("3"))).hold();
            assertEquals(Settlement.RELEASED, l.release(released));
            assertInstanceOf(Reservation.Denied.class, l.reserve(charge("100")));
            Hold keyedHold = ((Reservation.Authorized) l.reserve(keyed("1", "k9", "fp"))).hold();
            assertEquals(Settlement.COMMITTED, l.commit(keyedHold, OK));
            assertEquals(Money.credits("7"), l.account("acct").orElseThrow().balance());
            assertEquals(Money.credits("7"), balance(), "seen through another pool: it was all committed");
            assertEquals(0, ledger.openHoldCount());
        }
    }

    @Test
    void aReleaseOfAnOrdinaryCommitChangesNothing() {
        Hold h = ((Reservation.Authorized) ledger.reserve(charge("4"))).hold();
        ledger.commit(h, null);
        assertEquals(Settlement.COMMITTED, ledger.release(h));
        assertEquals(Money.credits("6"), balance());
    }

    @Test
    void everyBalanceChangeIsAnAppendOnlyEntry() throws SQLException {
        Hold committed = ((Reservation.Authorized) ledger.reserve(charge("3"))).hold();
        ledger.commit(committed, null);
        Hold released = ((Reservation.Authorized) ledger.reserve(charge("2"))).hold();
        ledger.release(released);
        Hold expired = ((Reservation.Authorized) ledger.reserve(charge("1"))).hold();
        makeOverdue(expired);
        ledger.expireOverdueHolds();
        assertEquals(Money.credits("12"), ledger.credit("acct", Money.credits("5"), "invoice 7"));
        assertEquals(Money.credits("11"), ledger.debit("acct", Money.credits("1"), "correction"));
        List<LedgerEntry> entries = ledger.statement("acct", Instant.EPOCH, Instant.MAX, 100);
        assertEquals(List.of(LedgerEntry.Kind.OPEN, LedgerEntry.Kind.HOLD, LedgerEntry.Kind.COMMIT, LedgerEntry.Kind.HOLD,
                LedgerEntry.Kind.RELEASE, LedgerEntry.Kind.HOLD, LedgerEntry.Kind.EXPIRY, LedgerEntry.Kind.CREDIT,
                LedgerEntry.Kind.DEBIT), entries.stream().map(LedgerEntry::kind).toList());
        BigDecimal available = entries.stream().map(LedgerEntry::availableDelta).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal held = entries.stream().map(LedgerEntry::heldDelta).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, available.compareTo(new BigDecimal("11")));
        assertEquals(0, held.signum());
        assertEquals("invoice 7", entries.get(7).reference());
        assertEquals(committed.id(), entries.get(2).holdId());
        assertEquals(3, ledger.statement("acct", Instant.EPOCH, Instant.MAX, 3).size());
        assertTrue(ledger.statement("acct", Instant.now().plusSeconds(3600), Instant.MAX, 10).isEmpty());

        SQLException e = assertThrows(SQLException.class, () -> sql("DELETE FROM " + schema + ".entries"));
        assertTrue(e.getMessage().contains("append-only"), e.getMessage());
        assertThrows(SQLException.class, () -> sql("UPDATE " + schema + ".entries SET reference = 'x'"));
    }

    /**
     * Issue 9 item 4: a credit could take a balance so high that releasing a hold overflowed
     * numeric(38, 18); now the maximum (available plus held) is checked before anything changes.
     */
    @Test
    void aCreditPastTheMaximumBalanceIsRefusedBeforeAnythingChanges() {
        Hold open = ((Reservation.Authorized) ledger.reserve(charge("4"))).hold();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ledger.credit("acct", Money.credits("99999999999999999999"), "overflow"));
        assertTrue(e.getMessage().contains("maximum balance"), e.getMessage());
        Money toTheMax = new Money(AccountLimits.MAX_BALANCE.subtract(BigDecimal.TEN), "credits");
        assertThrows(IllegalArgumentException.class,
                () -> ledger.credit("acct", toTheMax.plus(Money.credits("0.000000000000000001")), "one unit over"),
                "the open hold counts");
        assertEquals(Money.credits("6"), balance(), "nothing was applied");
        assertEquals(new Money(AccountLimits.MAX_BALANCE.subtract(new BigDecimal("4")), "credits"),
                ledger.credit("acct", toTheMax, "up to the maximum"));
        assertEquals(Settlement.RELEASED, ledger.release(open), "a release can never overflow");
        assertEquals(new Money(AccountLimits.MAX_BALANCE, "credits"), balance());
        assertThrows(IllegalArgumentException.class, () -> ledger.openAccount("rich",
                new Money(AccountLimits.MAX_BALANCE.add(BigDecimal.ONE), "credits"), Set.of()));
        assertTrue(ledger.account("rich").isEmpty());
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /**
     * Issue 9 item 4: one hold whose expiry overflowed its account (a balance an older version let
     * reach the column's limit) failed every sweeper batch, so no account's overdue holds expired.
     */
    @Test
    void oneHoldThatCannotExpireNeverStopsTheSweepOfTheOthers() throws SQLException {
        ledger.openAccount("legacy", Money.credits("5"), Set.of());
        Hold poisoned = ((Reservation.Authorized) ledger.reserve(new Charge("legacy", Money.credits("2"), null,
                "GET test", new Idempotency("p", "", false)))).hold();
        Hold other = ((Reservation.Authorized) ledger.reserve(charge("4"))).hold();
        // The state an unchecked credit could leave before this version: the balance at the column's
        // limit, with its entry, so that returning the held 2 credits overflows.
        String top = "99999999999999999999.000000000000000000";
        sql("INSERT INTO " + schema + ".entries (account_id, kind, available_delta, held_delta, reference)"
                + " SELECT 'legacy', 'credit', " + top + " - balance, 0, 'before the upgrade' FROM " + schema
                + ".accounts WHERE id = 'legacy'");
        sql("UPDATE " + schema + ".accounts SET balance = " + top + " WHERE id = 'legacy'");
        makeOverdue(poisoned);
        makeOverdue(other);

        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(PostgresLedger.class.getName());
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(new java.util.logging.SimpleFormatter().formatMessage(r));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            assertEquals(1, ledger.expireOverdueHolds(), "the other account's hold expires");
        } finally {
            jul.removeHandler(capture);
        }
        assertTrue(warnings.stream().anyMatch(w -> w.contains("Hold " + poisoned.id() + " cannot be expired")),
                warnings::toString);
        assertEquals(Money.credits("10"), balance());
        assertEquals(Settlement.EXPIRED, ledger.release(other));
        assertEquals(1, ledger.openHoldCount(), "only the poisoned hold stays open");
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /**
     * Issue 9 item 7: a NUL in an id, a 3.8 KB id or an overflowing credit reached PostgreSQL and came
     * back as LedgerUnavailableException (503); they are client mistakes, refused before any query.
     */
    @Test
    void clientMistakesAreRefusedBeforeTheDatabaseIsTouched() {
        DataSource down = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    throw new SQLException("the database must not be asked");
                });
        String nul = "key\u0000x";
        String huge = "k".repeat(3800);
        try (PostgresLedger offline = PostgresLedger.builder(down).schema(schema).sweepInterval(Duration.ZERO).build()) {
            for (PostgresLedger l : List.of(offline, ledger)) {
                for (String bad : List.of(nul, huge, "line\nbreak", "")) {
                    assertThrows(IllegalArgumentException.class, () -> l.openAccount(bad, Money.credits("1"), Set.of()));
                    assertThrows(IllegalArgumentException.class, () -> l.credit(bad, Money.credits("1"), null));
                    assertThrows(IllegalArgumentException.class, () -> l.debit(bad, Money.credits("1"), null));
                    assertThrows(IllegalArgumentException.class, () -> l.grant(bad, "premium"));
                    assertThrows(IllegalArgumentException.class, () -> l.statement(bad, Instant.EPOCH, Instant.MAX, 1));
                    assertTrue(l.account(bad).isEmpty());
                    Reservation.Denied d = assertInstanceOf(Reservation.Denied.class, l.reserve(new Charge(bad,
                            Money.credits("1"), null, "GET test", new Idempotency("k" + keys.incrementAndGet(), "fp",
                            true))));
                    assertEquals(DenialReason.UNKNOWN_ACCOUNT, d.reason());
                }
                assertThrows(IllegalArgumentException.class, () -> l.credit("acct", Money.credits("1"), "note\u0000"));
                assertThrows(IllegalArgumentException.class, () -> l.grant("acct", "nul\u0000"));
                assertThrows(IllegalArgumentException.class,
                        () -> l.credit("acct", Money.credits("99999999999999999999"), "overflow"));
                assertThrows(IllegalArgumentException.class, () -> l.openAccount("acct2",
                        Money.credits("99999999999999999999"), Set.of()));
            }
        }
        assertTrue(ledger.openAccount("k".repeat(AccountLimits.MAX_ID_LENGTH), Money.credits("1"), Set.of("premium")));
        assertTrue(ledger.openAccount("caf\u00e9 \ud83d\ude00", Money.credits("1"), Set.of()));
        assertEquals(Money.credits("10"), balance());
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    private void assertEveryBalanceIsTheSumOfItsEntries() {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT a.id, a.balance, coalesce((SELECT sum(e.available_delta)"
                     + " FROM " + schema + ".entries e WHERE e.account_id = a.id), 0) FROM " + schema + ".accounts a")) {
            int n = 0;
            while (rs.next()) {
                n++;
                assertEquals(0, rs.getBigDecimal(2).compareTo(rs.getBigDecimal(3)), "account " + rs.getString(1)
                        + ": balance " + rs.getBigDecimal(2) + ", entries " + rs.getBigDecimal(3));
            }
            assertTrue(n > 0);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void administration() {
        assertFalse(ledger.openAccount("acct", Money.credits("1"), Set.of()), "exists already: left as it is");
        assertTrue(ledger.openAccount("new", Money.credits("2.5"), Set.of("premium", "beta")));
        assertEquals(Set.of("premium", "beta"), ledger.account("new").orElseThrow().entitlements());
        ledger.revoke("new", "beta");
        ledger.grant("new", "gamma");
        ledger.grant("new", "gamma");
        assertEquals(Set.of("premium", "gamma"), ledger.account("new").orElseThrow().entitlements());
        assertThrows(IllegalStateException.class, () -> ledger.debit("new", Money.credits("3"), "too much"));
        assertThrows(IllegalArgumentException.class, () -> ledger.credit("new", Money.parse("1", "EUR"), null));
        assertThrows(IllegalArgumentException.class, () -> ledger.credit("nobody", Money.credits("1"), null));
        assertThrows(IllegalArgumentException.class, () -> ledger.grant("nobody", "x"));
        assertThrows(IllegalArgumentException.class, () -> ledger.statement("nobody", Instant.EPOCH, Instant.MAX, 1));
        assertEquals(Money.credits("2.5"), ledger.account("new").orElseThrow().balance());
    }

    @Test
    void createSchemaIsIdempotentAndSafeFromSeveralNodesAtOnce() throws Exception {
        String fresh = Postgres.uniqueSchema();
        try {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fs.add(threads.submit(() -> PostgresLedger.builder(pool).schema(fresh).sweepInterval(Duration.ZERO).build()
                        .createSchema()));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            threads.shutdown();
            PostgresLedger again = PostgresLedger.builder(pool).schema(fresh).createSchema(true).sweepInterval(Duration.ZERO)
                    .build();
            assertTrue(again.openAccount("x", Money.credits("1"), Set.of()));
        } finally {
            Postgres.dropSchema(pool, fresh);
        }
    }

    @Test
    void aMissingSchemaSaysHowToCreateIt() {
        PostgresLedger missing = PostgresLedger.builder(pool).schema(Postgres.uniqueSchema()).sweepInterval(Duration.ZERO).build();
        IllegalStateException e = assertThrows(LedgerSchemaException.class,
                () -> missing.reserve(charge("1")));
        assertTrue(e.getMessage().contains("createSchema"), e.getMessage());
    }
}
