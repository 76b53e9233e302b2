package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Reservation;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testkit.AllowanceContract;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Monthly allowances on PostgreSQL: the contract's rules, then what only a shared database can show: two
 * nodes crossing a period boundary together reset the usage once and never spend more than the limit, and
 * a version 4 schema upgrades. The database clock cannot be faked, so a period boundary is crossed by moving
 * the counted period (and the holds' periods) a month into the past, which is what time passing looks like
 * to the ledger.
 */
class PostgresAllowanceTest extends AllowanceContract {

    private static HikariDataSource pool;
    private final List<PostgresLedger> ledgers = new ArrayList<>();
    private String schema;
    private final AtomicLong keys = new AtomicLong();

    @BeforeAll
    static void connect() {
        pool = Postgres.server().pool(40);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        ledgers.forEach(PostgresLedger::close);
        Postgres.dropSchema(pool, schema);
    }

    @Override
    protected Ledger createLedger() {
        schema = Postgres.uniqueSchema();
        return node(true);
    }

    private PostgresLedger node(boolean create) {
        return node(create, true);
    }

    private PostgresLedger node(boolean create, boolean groupCommit) {
        PostgresLedger l = PostgresLedger.builder(pool).schema(schema).createSchema(create).sweepInterval(Duration.ZERO)
                .holdTimeout(Duration.ofMinutes(10)).groupCommit(groupCommit).build();
        ledgers.add(l);
        return l;
    }

    @Override
    protected void startNextPeriod() throws SQLException {
        sql("UPDATE " + schema + ".accounts SET allowance_period_start = allowance_period_start - interval '1 month'"
                + " WHERE allowance_period_start IS NOT NULL");
        sql("UPDATE " + schema + ".holds SET allowance_period = allowance_period - interval '1 month'"
                + " WHERE allowance_period IS NOT NULL");
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    private BigDecimal number(String query) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getBigDecimal(1);
        }
    }

    private Reservation reserve(Ledger l, String account, String price) {
        return l.reserve(new Charge(account, Money.credits(price), null, "GET t",
                new Idempotency("gen-" + keys.incrementAndGet(), "", false)));
    }

    @Test
    void twoNodesCrossingABoundaryTogetherResetOnceAndSpendAtMostTheLimit() throws Exception {
        crossTheBoundaryOnTwoNodes(ledgers.get(0), node(false));
    }

    /** The same without group commit: every reserve is a statement of its own, racing the other node's. */
    @Test
    void twoNodesWithoutGroupCommitCrossingABoundaryResetOnceAndSpendAtMostTheLimit() throws Exception {
        crossTheBoundaryOnTwoNodes(node(false, false), node(false, false));
    }

    private void crossTheBoundaryOnTwoNodes(PostgresLedger a, PostgresLedger b) throws Exception {
        a.openAccount("acct_plan", Money.credits("1000"), Set.of());
        a.setAllowance("acct_plan", Allowance.calls("starter", 5, 1), null);
        // The last period was used up; the period boundary has passed since.
        sql("UPDATE " + schema + ".accounts SET allowance_used = 5, allowance_period_start ="
                + " date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 month'");
        assertEquals(0, new BigDecimal(5).compareTo(a.allowance("acct_plan").orElseThrow().remaining()));
        int calls = 60;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Reservation>> out = new ArrayList<>();
        try {
            for (int i = 0; i < calls; i++) {
                PostgresLedger node = i % 2 == 0 ? a : b;
                out.add(pool.submit(() -> {
                    start.await();
                    return reserve(node, "acct_plan", "1");
                }));
            }
            start.countDown();
            for (Future<Reservation> f : out) {
                assertInstanceOf(Reservation.Authorized.class, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        String holds = schema + ".holds WHERE account_id = 'acct_plan'";
        assertEquals(0, new BigDecimal(5).compareTo(number("SELECT count(*) FROM " + holds + " AND allowance_units > 0")),
                "exactly the limit of calls covered by the allowance");
        assertEquals(0, new BigDecimal(calls - 5).compareTo(number("SELECT count(*) FROM " + holds + " AND amount = 1")));
        assertEquals(0, new BigDecimal(1000 - (calls - 5)).compareTo(a.account("acct_plan").orElseThrow().balance().amount()));
        assertEquals(0, new BigDecimal(5).compareTo(number("SELECT allowance_used FROM " + schema + ".accounts")));
        assertEquals(0, new BigDecimal(-5).compareTo(number("SELECT sum(allowance_delta) FROM " + schema
                + ".entries WHERE account_id = 'acct_plan'")));
        assertEquals(0, BigDecimal.ZERO.compareTo(b.allowance("acct_plan").orElseThrow().remaining()));
    }

    @Test
    void twoNodesReleasingAndReservingAcrossTheBoundaryLoseNoUsage() throws Exception {
        PostgresLedger a = ledgers.get(0);
        PostgresLedger b = node(false);
        a.openAccount("acct_plan", Money.credits("1000"), Set.of());
        a.setAllowance("acct_plan", Allowance.credits("starter", Money.credits("10"), 1), null);
        List<Reservation.Authorized> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add(assertInstanceOf(Reservation.Authorized.class, reserve(a, "acct_plan", "2")));
        }
        startNextPeriod(); // the five holds of 2 belong to the old period now
        ExecutorService pool = Executors.newFixedThreadPool(12);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> out = new ArrayList<>();
        try {
            for (Reservation.Authorized h : old) {
                out.add(pool.submit(() -> {
                    start.await();
                    return b.release(h.hold());
                }));
            }
            for (int i = 0; i < 30; i++) {
                PostgresLedger node = i % 2 == 0 ? a : b;
                out.add(pool.submit(() -> {
                    start.await();
                    return reserve(node, "acct_plan", "1");
                }));
            }
            start.countDown();
            for (Future<?> f : out) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // The new period's 10 credits covered 10 of the 30 calls; the old holds' parts were dropped.
        assertEquals(0, BigDecimal.TEN.compareTo(number("SELECT allowance_used FROM " + schema + ".accounts")));
        assertEquals(0, new BigDecimal(1000 - 20).compareTo(a.account("acct_plan").orElseThrow().balance().amount()));
    }

    @Test
    void aVersion4SchemaUpgradesAndKeepsItsAccountsAndHolds() throws Exception {
        PostgresLedger first = ledgers.remove(0);
        first.close();
        Postgres.dropSchema(pool, schema);
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".schema_version (version int PRIMARY KEY, script text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            String[] old = {"V1__ledger.sql", "V2__group_commit.sql", "V3__keys.sql", "V4__payment_claims.sql"};
            for (int v = 1; v <= old.length; v++) {
                st.execute(script(old[v - 1]).replace("${schema}", schema));
                st.execute("INSERT INTO " + schema + ".schema_version (version, script) VALUES (" + v + ", '"
                        + old[v - 1] + "')");
            }
            st.execute("INSERT INTO " + schema + ".accounts (id, currency, balance) VALUES ('acct_old', 'credits', 10)");
            st.execute("INSERT INTO " + schema + ".entries (account_id, kind, available_delta, held_delta)"
                    + " VALUES ('acct_old', 'open', 10, 0)");
            // A hold placed by a version 4 node, still open during the upgrade.
            try (ResultSet rs = st.executeQuery("SELECT hold_id FROM " + schema
                    + ".reserve('acct_old', 3, 'credits', NULL, 'GET old', interval '10 minutes')")) {
                rs.next();
            }
        }
        PostgresLedger l = node(true);
        assertEquals(0, number("SELECT count(*) FROM " + schema + ".schema_version WHERE version = 5"
                + " AND script = 'V5__allowances.sql'").compareTo(BigDecimal.ONE));
        assertEquals(0, new BigDecimal(7).compareTo(l.account("acct_old").orElseThrow().balance().amount()));
        assertTrue(l.allowance("acct_old").isEmpty());
        assertEquals(0, l.expireOverdueHolds()); // nothing overdue yet; the sweep runs on the new columns
        sql("UPDATE " + schema + ".holds SET expires_at = now() - interval '1 second' WHERE state = 'open'");
        assertEquals(1, l.expireOverdueHolds());
        assertEquals(0, BigDecimal.TEN.compareTo(l.account("acct_old").orElseThrow().balance().amount()),
                "the old hold's 3 came back to the balance");
        l.setAllowance("acct_old", Allowance.calls("starter", 1, 1), "[admin:test]");
        reserve(l, "acct_old", "4");
        assertEquals(0, BigDecimal.TEN.compareTo(l.account("acct_old").orElseThrow().balance().amount()));
        reserve(l, "acct_old", "4");
        assertEquals(0, new BigDecimal(6).compareTo(l.account("acct_old").orElseThrow().balance().amount()));
    }

    /** A schema that got version 6 (admin notes) before version 5: both kinds are allowed afterwards. */
    @Test
    void version5AppliedAfterVersion6KeepsTheNoteKind() throws Exception {
        PostgresLedger first = ledgers.remove(0);
        first.close();
        Postgres.dropSchema(pool, schema);
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".schema_version (version int PRIMARY KEY, script text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            String[] old = {"V1__ledger.sql", "V2__group_commit.sql", "V3__keys.sql", "V4__payment_claims.sql", null,
                "V6__admin_notes.sql"};
            for (int v = 1; v <= old.length; v++) {
                if (old[v - 1] != null) {
                    st.execute(script(old[v - 1]).replace("${schema}", schema));
                    st.execute("INSERT INTO " + schema + ".schema_version (version, script) VALUES (" + v + ", '"
                            + old[v - 1] + "')");
                }
            }
        }
        // A node that does not migrate refuses to start on it, naming what is missing (it would fail every
        // release and expiry on the missing allowance columns).
        LedgerSchemaException refused = assertThrows(LedgerSchemaException.class, () -> node(false));
        assertTrue(refused.getMessage().contains("lacks the migrations V5__allowances.sql,"
                + " V7__allowance_current_period.sql: call PostgresLedger.createSchema()"), refused.getMessage());
        PostgresLedger l = node(true);
        node(false); // now it may
        l.openAccount("acct_x", Money.credits("5"), Set.of(), "ops"); // a note
        l.setAllowance("acct_x", Allowance.calls("starter", 1, 1), "[admin:ops] plan");
        List<String> kinds = l.statement("acct_x", java.time.Instant.EPOCH, java.time.Instant.now().plusSeconds(60), 10)
                .stream().map(e -> e.kind().name()).toList();
        assertEquals(List.of("OPEN", "NOTE", "ALLOWANCE"), kinds);
    }

    /** An expiry after a rollover with no charge yet in the new period drops the allowance part too. */
    @Test
    void anExpiryAfterTheRolloverBeforeAnyNewChargeDropsTheAllowancePart() throws Exception {
        PostgresLedger l = ledgers.get(0);
        l.openAccount("acct_plan", Money.credits("10"), Set.of());
        l.setAllowance("acct_plan", Allowance.calls("starter", 2, 1), null);
        assertInstanceOf(Reservation.Authorized.class, reserve(l, "acct_plan", "5"));
        startNextPeriod();
        sql("UPDATE " + schema + ".holds SET expires_at = now() - interval '1 second' WHERE state = 'open'");
        assertEquals(1, l.expireOverdueHolds());
        assertEquals(0, BigDecimal.ZERO.compareTo(number("SELECT allowance_delta FROM " + schema
                + ".entries WHERE kind = 'expiry'")));
        assertEquals("0 2", l.allowance("acct_plan").orElseThrow().used() + " "
                + l.allowance("acct_plan").orElseThrow().remaining());
    }

    /** Metered commits after a rollover, statement by statement (without group commit): nothing goes back. */
    @Test
    void aMeteredCommitAfterTheRolloverWithoutGroupCommitWritesNoEntry() throws Exception {
        PostgresLedger l = node(false, false);
        l.openAccount("acct_plan", Money.credits("10"), Set.of());
        l.setAllowance("acct_plan", Allowance.credits("starter", Money.credits("3"), 1), null);
        Reservation.Authorized h = assertInstanceOf(Reservation.Authorized.class, reserve(l, "acct_plan", "3"));
        startNextPeriod();
        assertEquals(dev.tollgate.spi.Settlement.COMMITTED, l.commit(h.hold(), Money.credits("1"), null));
        assertEquals(0, BigDecimal.ZERO.compareTo(number("SELECT count(*) FROM " + schema
                + ".entries WHERE kind = 'release'")));
        assertEquals("0", l.allowance("acct_plan").orElseThrow().used().toString());
    }

    private static String script(String name) throws IOException {
        try (InputStream in = PostgresLedger.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
