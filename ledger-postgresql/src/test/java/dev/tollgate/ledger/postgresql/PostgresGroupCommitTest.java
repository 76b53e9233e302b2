package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testing.FlakyDataSource;
import dev.tollgate.testing.Postgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit (issue 14): what can go wrong only when requests share a transaction. Batches are
 * composed deterministically, without timing: a test connection holds the row of the account
 * {@code gate}, so a reserve on it keeps the batch in flight waiting in the database while the next
 * members queue behind it; releasing the row lets the queued members go as one batch.
 */
class PostgresGroupCommitTest {

    private static HikariDataSource pool;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger keys = new AtomicInteger();
    private DataSource db;
    private String schema;
    private PostgresLedger ledger;

    @BeforeAll
    static void connect() {
        pool = Postgres.server().pool(40);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @BeforeEach
    void createSchema() {
        open(pool, Postgres.uniqueSchema());
    }

    private void open(DataSource dataSource, String schemaName) {
        db = dataSource;
        schema = schemaName;
        // One lane: the gate composes batches across accounts (the default lanes are tested below).
        ledger = PostgresLedger.builder(dataSource).schema(schema).createSchema(true).sweepInterval(Duration.ZERO)
                .groupCommitLanes(1).build();
        ledger.openAccount("gate", Money.credits("100"), Set.of());
        ledger.openAccount("rich", Money.credits("100"), Set.of());
        ledger.openAccount("poor", Money.credits("5"), Set.of());
        ledger.openAccount("broke", Money.credits("1"), Set.of());
    }

    @AfterEach
    void dropSchema() throws SQLException {
        threads.shutdownNow();
        ledger.close();
        if (db == pool) {
            Postgres.dropSchema(pool, schema);
        }
    }

    private Charge charge(String account, String price) {
        return new Charge(account, Money.credits(price), null, "GET test",
                new Idempotency("gen-" + keys.incrementAndGet(), "", false));
    }

    private Money balance(String account) {
        return ledger.account(account).orElseThrow().balance();
    }

    private static Hold held(Reservation r) {
        return assertInstanceOf(Reservation.Authorized.class, r).hold();
    }

    // ---------------------------------------------------------------- batch-specific risks

    /** One member that cannot pay is refused alone; the others of its batch go through, in one transaction. */
    @Test
    void aMemberThatCannotPayFailsAloneAndTheOthersShareOneTransaction() throws Exception {
        Hold earlier = held(ledger.reserve(charge("rich", "4")));
        Future<Reservation> r1;
        Future<Reservation> r2;
        Future<Reservation> r3;
        Future<Reservation> r4;
        Future<Settlement> c1;
        Future<Reservation> r5;
        try (Gate gate = new Gate(db)) {
            r1 = gate.queue(() -> ledger.reserve(charge("poor", "3")));
            r2 = gate.queue(() -> ledger.reserve(charge("poor", "3")));
            r3 = gate.queue(() -> ledger.reserve(charge("rich", "10")));
            r4 = gate.queue(() -> ledger.reserve(charge("poor", "2")));
            c1 = gate.queue(() -> ledger.commit(earlier, null));
            r5 = gate.queue(() -> ledger.reserve(charge("broke", "5")));
            gate.open();
            held(gate.leader.get(20, TimeUnit.SECONDS));
        }
        Hold h1 = held(r1.get(20, TimeUnit.SECONDS));
        Reservation.Denied refused = assertInstanceOf(Reservation.Denied.class, r2.get(20, TimeUnit.SECONDS));
        assertEquals(DenialReason.INSUFFICIENT_FUNDS, refused.reason());
        Reservation.Authorized a3 = assertInstanceOf(Reservation.Authorized.class, r3.get(20, TimeUnit.SECONDS));
        assertEquals(Money.credits("86"), a3.balance(), "4 held before, then 10");
        Reservation.Authorized a4 = assertInstanceOf(Reservation.Authorized.class, r4.get(20, TimeUnit.SECONDS));
        assertEquals(Money.credits("0"), a4.balance(), "3, refused 3, then 2: each member on the balance before it");
        assertEquals(Settlement.COMMITTED, c1.get(20, TimeUnit.SECONDS));
        assertEquals(DenialReason.INSUFFICIENT_FUNDS,
                assertInstanceOf(Reservation.Denied.class, r5.get(20, TimeUnit.SECONDS)).reason());

        assertEquals(Money.credits("0"), balance("poor"));
        assertEquals(Money.credits("86"), balance("rich"));
        assertEquals(Money.credits("1"), balance("broke"));
        assertEquals(1, distinctTransactions("SELECT xmin::text FROM " + schema + ".holds WHERE id IN (" + h1.id()
                + ", " + a3.hold().id() + ", " + a4.hold().id() + ") UNION ALL SELECT xmin::text FROM " + schema
                + ".entries WHERE hold_id = " + earlier.id() + " AND kind = 'commit'"),
                "the members were applied in one transaction");
        assertEquals(4, ledger.openHoldCount(), "the gate's, the first, third and fourth");
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /**
     * A member whose data the database refuses (a NUL in the resource, which {@code text} cannot
     * store) rolls its batch back: the others are then applied on their own and succeed; only the
     * bad member fails.
     */
    @Test
    void aMemberWhoseDataTheDatabaseRefusesFailsAlone() throws Exception {
        Future<Reservation> bad;
        Future<Reservation> good;
        try (Gate gate = new Gate(db)) {
            bad = gate.queue(() -> ledger.reserve(new Charge("rich", Money.credits("1"), null, "GET \u0000",
                    new Idempotency("nul", "", false))));
            good = gate.queue(() -> ledger.reserve(charge("rich", "2")));
            gate.open();
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(20, TimeUnit.SECONDS));
        assertInstanceOf(LedgerUnavailableException.class, e.getCause());
        held(good.get(20, TimeUnit.SECONDS));
        assertEquals(Money.credits("98"), balance("rich"));
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /**
     * A schema of version 1 (no {@code apply_batch}, say created by an older node without
     * {@code createSchema}): the batch's members are applied on their own, and group commit turns
     * itself off instead of failing requests.
     */
    @Test
    void aSchemaWithoutTheBatchFunctionFallsBackToSingleStatements() throws Exception {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP FUNCTION " + schema + ".apply_batch");
        }
        Hold h = held(ledger.reserve(charge("rich", "4")));
        Future<Settlement> commit;
        Future<Reservation> reserve;
        try (Gate gate = new Gate(db)) {
            commit = gate.queue(() -> ledger.commit(h, null));
            reserve = gate.queue(() -> ledger.reserve(charge("rich", "10")));
            gate.open();
        }
        assertEquals(Settlement.COMMITTED, commit.get(20, TimeUnit.SECONDS));
        held(reserve.get(20, TimeUnit.SECONDS));
        assertEquals(Money.credits("86"), balance("rich"));
        assertEveryBalanceIsTheSumOfItsEntries();
        assertFalse(ledger.batching(), "group commit turned itself off");
    }

    /** Two settlements of one hold in one batch: applied in the order given, exactly once. */
    @Test
    void settlementsOfOneHoldInOneBatchApplyInOrderAndOnce() throws Exception {
        Hold h = held(ledger.reserve(charge("rich", "4")));
        Future<Settlement> metered;
        Future<Settlement> full;
        Future<Settlement> again;
        try (Gate gate = new Gate(db)) {
            metered = gate.queue(() -> ledger.commit(h, Money.credits("1"), null));
            full = gate.queue(() -> ledger.commit(h, null));
            again = gate.queue(() -> ledger.commit(h, Money.credits("3"), null));
            gate.open();
        }
        assertEquals(Settlement.COMMITTED, metered.get(20, TimeUnit.SECONDS));
        assertEquals(Settlement.COMMITTED, full.get(20, TimeUnit.SECONDS));
        assertEquals(Settlement.COMMITTED, again.get(20, TimeUnit.SECONDS));
        assertEquals(Money.credits("99"), balance("rich"), "the first of the batch (1 of 4) was charged, once");
        List<String> kinds = ledger.statement("rich", Instant.EPOCH, Instant.MAX, 100).stream()
                .filter(e -> e.kind() != LedgerEntry.Kind.OPEN)
                .map(e -> e.kind() + " " + e.availableDelta().stripTrailingZeros().toPlainString()).toList();
        assertEquals(List.of("HOLD -4", "COMMIT 0", "RELEASE 3"), kinds);
        assertEquals(Settlement.COMMITTED, ledger.release(h), "a release after the commit changes nothing");
        assertEquals(Money.credits("99"), balance("rich"));
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /**
     * The batch's connection is killed while it is in flight (on a PostgreSQL this test starts): every
     * member gets the same answer, "unavailable", nothing of the batch took effect, and the commits
     * among them are treated as of unknown outcome (the release that follows returns the money once).
     */
    @Test
    void aBatchWhoseConnectionIsKilledGivesEveryMemberTheSameAnswer() throws Exception {
        Path data = Files.createTempDirectory("tollgate-pg-batch-");
        EmbeddedPostgres pg = Postgres.startEmbedded(data, Postgres.freePort());
        HikariDataSource own = Postgres.pool(pg.getJdbcUrl("postgres", "postgres"), "postgres", "", 12);
        PostgresLedger shared = ledger;
        shared.close();
        Postgres.dropSchema(pool, schema);
        try {
            open(own, "tollgate");
            Hold a = held(ledger.reserve(charge("rich", "5")));
            Hold b = held(ledger.reserve(charge("rich", "5")));
            List<Future<?>> members = new ArrayList<>();
            try (Gate gate = new Gate(own)) {
                members.add(gate.queue(() -> ledger.reserve(charge("rich", "7"))));
                members.add(gate.queue(() -> ledger.commit(a, null)));
                members.add(gate.queue(() -> ledger.commit(b, Money.credits("2"), null)));
                members.add(gate.queue(() -> ledger.reserve(charge("gate", "1")))); // keeps this batch waiting too
                assertEquals(1, gate.killWaitingBatch()); // the leader, a batch of one
                ExecutionException leader = assertThrows(ExecutionException.class,
                        () -> gate.leader.get(20, TimeUnit.SECONDS));
                assertInstanceOf(LedgerUnavailableException.class, leader.getCause());
                // The four queued members are now one batch in flight, waiting for the gate.
                gate.awaitWaitingBatch();
                assertEquals(0, ledger.batches("gate").queued());
                assertEquals(1, gate.killWaitingBatch());
                Throwable first = null;
                for (Future<?> m : members) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> m.get(20, TimeUnit.SECONDS));
                    assertInstanceOf(LedgerUnavailableException.class, e.getCause());
                    if (first == null) {
                        first = e.getCause();
                    }
                    assertSame(first, e.getCause(), "one failure, one answer for every member");
                }
                gate.open();
            }
            assertEquals(Money.credits("90"), balance("rich"), "nothing of the killed batch took effect");
            assertEquals(Money.credits("100"), balance("gate"));
            assertEquals(2, ledger.openHoldCount());
            assertEquals(Settlement.RELEASED, ledger.release(a));
            assertEquals(Settlement.RELEASED, ledger.release(b));
            assertEquals(Money.credits("100"), balance("rich"));
            assertTrue(ledger.statement("rich", Instant.EPOCH, Instant.MAX, 100).stream()
                    .noneMatch(e -> e.kind() == LedgerEntry.Kind.REVERSAL));
            assertEveryBalanceIsTheSumOfItsEntries();
        } finally {
            ledger.close();
            own.close();
            pg.close();
            ledger = shared;
            db = pool;
            schema = Postgres.uniqueSchema(); // nothing to drop on the shared server any more
        }
    }

    /**
     * A batch that committed but whose answer was lost: the callers cannot know, so they hear
     * "unavailable"; the release that Tollgate then sends undoes the commit, and the reserve's hold
     * expires. Never a silent success, never a double charge.
     */
    @Test
    void aBatchThatCommittedButWhoseAnswerWasLostIsUndoneExactly() throws Exception {
        FlakyDataSource flaky = new FlakyDataSource(pool);
        ledger.close();
        Postgres.dropSchema(pool, schema);
        open(flaky, Postgres.uniqueSchema());
        db = pool;
        Hold h = held(ledger.reserve(charge("rich", "4")));
        Future<Settlement> commit;
        Future<Reservation> reserve;
        try (Gate gate = new Gate(pool)) {
            commit = gate.queue(() -> ledger.commit(h, null));
            reserve = gate.queue(() -> ledger.reserve(charge("rich", "10")));
            flaky.failAfterRunning = "SELECT o_ord";
            gate.open();
            held(gate.leader.get(20, TimeUnit.SECONDS)); // a batch of one: its own statement
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> commit.get(20, TimeUnit.SECONDS));
        assertInstanceOf(LedgerUnavailableException.class, e.getCause());
        e = assertThrows(ExecutionException.class, () -> reserve.get(20, TimeUnit.SECONDS));
        assertInstanceOf(LedgerUnavailableException.class, e.getCause());
        flaky.failAfterRunning = null;
        assertEquals(Money.credits("86"), balance("rich"), "both did take effect");
        assertEquals(Settlement.RELEASED, ledger.release(h), "the client was refused, so the charge is undone");
        assertEquals(Money.credits("90"), balance("rich"));
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE " + schema + ".holds SET expires_at = now() - interval '1 second'"
                    + " WHERE state = 'open' AND account_id = 'rich'");
        }
        assertEquals(1, ledger.expireOverdueHolds(), "the lost reserve's hold expires");
        assertEquals(Money.credits("100"), balance("rich"));
        assertEveryBalanceIsTheSumOfItsEntries();
    }

    /**
     * Many threads on one hot account and another, with the default lanes: never overspent, exact to
     * the last unit.
     */
    @Test
    void manyThreadsNeverOverspendAndEndExact() throws Exception {
        PostgresLedger oneLane = ledger;
        ledger = PostgresLedger.builder(pool).schema(schema).sweepInterval(Duration.ZERO).build(); // default lanes
        oneLane.close();
        ledger.openAccount("hot", Money.credits("300"), Set.of());
        int n = 32;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<BigDecimal> charged = new AtomicReference<>(BigDecimal.ZERO);
        AtomicInteger holds = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int id = t;
            workers.add(threads.submit(() -> {
                start.await();
                for (int i = 0; ; i++) {
                    String account = i % 4 == 3 ? "rich" : "hot";
                    Reservation r = ledger.reserve(charge(account, "1"));
                    if (r instanceof Reservation.Denied d) {
                        assertEquals(DenialReason.INSUFFICIENT_FUNDS, d.reason());
                        if (account.equals("hot")) {
                            return null;
                        }
                        continue;
                    }
                    holds.incrementAndGet();
                    Hold h = held(r);
                    BigDecimal cost = switch ((id + i) % 3) {
                        case 0 -> ledger.release(h) == Settlement.RELEASED ? BigDecimal.ZERO : null;
                        case 1 -> ledger.commit(h, null) == Settlement.COMMITTED ? BigDecimal.ONE : null;
                        default -> ledger.commit(h, Money.credits("0.25"), null) == Settlement.COMMITTED
                                ? new BigDecimal("0.25") : null;
                    };
                    assertNotNull(cost, "every settlement answered as asked");
                    if (account.equals("hot")) {
                        charged.accumulateAndGet(cost, BigDecimal::add);
                    }
                }
            }));
        }
        start.countDown();
        for (Future<?> w : workers) {
            w.get(120, TimeUnit.SECONDS);
        }
        BigDecimal hot = balance("hot").amount();
        assertTrue(hot.compareTo(BigDecimal.ONE) < 0, "spent down to less than one price: " + hot);
        assertEquals(0, new BigDecimal("300").subtract(charged.get()).compareTo(hot),
                "balance = 300 - what the callers were told they were charged: " + hot + " vs " + charged.get());
        assertEquals(0, ledger.openHoldCount());
        assertEveryBalanceIsTheSumOfItsEntries();
        int transactions = distinctTransactions("SELECT xmin::text FROM " + schema + ".holds");
        assertTrue(transactions < holds.get(), "some reserves shared a transaction: " + transactions + " transactions for "
                + holds.get() + " holds");
    }

    /** Off by the builder or by the parameter; a value other than true or false names the parameter. */
    @Test
    void groupCommitCanBeTurnedOff() {
        PostgresLedger off = PostgresLedger.builder(pool).schema(schema).groupCommit(false)
                .sweepInterval(Duration.ZERO).build();
        assertNull(off.batches("rich"));
        assertTrue(ledger.groupCommit());
        Hold h = held(off.reserve(charge("rich", "2")));
        assertEquals(Settlement.COMMITTED, off.commit(h, null));
        assertEquals(Money.credits("98"), balance("rich"));
        off.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PostgresLedger(Map.of(PostgresLedger.GROUP_COMMIT, "yes")));
        assertTrue(e.getMessage().contains(PostgresLedger.GROUP_COMMIT + " = \"yes\": expected true or false"),
                e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Holds the row of the account {@code gate} so that a reserve on it (the leader) waits in the
     * database with its batch in flight; members queued meanwhile form the next batch, in order.
     */
    private final class Gate implements AutoCloseable {
        final Future<Reservation> leader;
        private final DataSource dataSource;
        private final Connection lock;
        private int queued;

        Gate(DataSource dataSource) throws Exception {
            this.dataSource = dataSource;
            lock = dataSource.getConnection();
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("SELECT 1 FROM " + schema + ".accounts WHERE id = 'gate' FOR UPDATE");
            }
            leader = threads.submit(() -> ledger.reserve(charge("gate", "1")));
            awaitWaitingBatch();
        }

        /** Submits a member and returns once it waits in the queue. */
        <T> Future<T> queue(Callable<T> member) throws Exception {
            Future<T> f = threads.submit(member);
            queued++;
            await(() -> ledger.batches("gate").queued() == queued, "member " + queued + " to queue");
            return f;
        }

        void awaitWaitingBatch() throws Exception {
            await(() -> waitingBatches() == 1, "a batch to wait for the gate");
        }

        int killWaitingBatch() throws SQLException {
            queued = 0;
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                         + " FROM pg_stat_activity WHERE " + waiting())) {
                rs.next();
                return rs.getInt(1);
            }
        }

        private int waitingBatches() throws SQLException {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE " + waiting())) {
                rs.next();
                return rs.getInt(1);
            }
        }

        /** A ledger's statement waiting for a lock: a batch, or a batch of one (its own statement). */
        private String waiting() {
            return "wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND (query LIKE '%" + schema
                    + ".apply_batch(%' OR query LIKE '%" + schema + ".reserve(%')";
        }

        void open() throws SQLException {
            lock.rollback();
        }

        @Override
        public void close() throws SQLException {
            lock.rollback();
            lock.close();
        }
    }

    private int distinctTransactions(String xmins) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(DISTINCT x) FROM (" + xmins + ") t(x)")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void assertEveryBalanceIsTheSumOfItsEntries() throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT a.id, a.balance, coalesce((SELECT sum(e.available_delta)"
                     + " FROM " + schema + ".entries e WHERE e.account_id = a.id), 0) FROM " + schema + ".accounts a")) {
            int n = 0;
            while (rs.next()) {
                n++;
                assertEquals(0, rs.getBigDecimal(2).compareTo(rs.getBigDecimal(3)), "account " + rs.getString(1)
                        + ": balance " + rs.getBigDecimal(2) + ", entries " + rs.getBigDecimal(3));
            }
            assertTrue(n > 0);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
