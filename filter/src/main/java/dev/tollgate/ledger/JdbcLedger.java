package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * A {@link Ledger} in a relational database over plain JDBC; PostgreSQL is the reference database.
 * Several application servers can share one database: balances, holds and idempotency keys live
 * only there.
 *
 * <h2>Schema</h2>
 * Tables in one schema (default {@code tollgate}): {@code accounts} (available balance),
 * {@code entitlements}, {@code holds} (open → committed | released | expired), {@code entries}
 * (append-only: every balance change and why) and {@code idempotency_keys}. The DDL ships in this
 * JAR as versioned scripts ({@code dev/tollgate/ledger/postgresql/V1__ledger.sql}, …);
 * {@link #createSchema()} applies the missing ones under an advisory lock and records them in
 * {@code schema_version}, so several nodes may call it at start-up.
 *
 * <h2>Money</h2>
 * {@link #reserve} is one statement and one short transaction (the schema's {@code reserve}
 * function): it inserts the hold and its entry, then makes the atomic conditional debit
 * ({@code UPDATE accounts SET balance = balance - price WHERE id = ? AND balance >= price}) last,
 * so the account row is locked only for the debit and the commit; a refusal rolls the inserts back.
 * No read-then-write race, no table locks. {@link #commit} and {@link #release} are idempotent
 * state transitions guarded by {@code state = 'open'}; a commit does not touch the account row,
 * so a hot account is locked once per request.
 *
 * <h2>Expiry</h2>
 * A hold neither committed nor released by its deadline ({@link Builder#holdTimeout}, default
 * 10 minutes) expires and its money returns, exactly once, in two ways: a background sweeper
 * (every {@link Builder#sweepInterval}, default 30 s; {@code FOR UPDATE SKIP LOCKED}, so nodes
 * share the work) and a lazy check: a commit after the deadline is refused and expires the hold,
 * and a retry that finds its idempotency key held by an overdue hold expires it on the spot. When a
 * batch fails on the data (say, a balance that an older version let grow to the column's limit),
 * the sweep goes on hold by hold and logs a WARNING naming each hold it cannot expire: one bad hold
 * never keeps the others' money from coming back.
 *
 * <h2>Input</h2>
 * Account ids, entitlement names, references and balances follow {@link AccountLimits}, the same
 * rules as the in-memory ledger, checked before the database is touched: a client's or operator's
 * mistake (a NUL in an id, an id of kilobytes, a credit past the maximum balance) is an
 * {@link IllegalArgumentException}, never a database error. A {@link #reserve} or {@link #account}
 * with an id no account can have answers "unknown account" without a query. The maximum balance
 * counts the money under open holds, so a release or an expiry can never overflow the
 * {@code numeric(38, 18)} columns.
 *
 * <h2>Failures</h2>
 * Every {@link SQLException} becomes a {@link LedgerUnavailableException} (Tollgate answers 503).
 * Statements carry a query timeout ({@link Builder#queryTimeout}, default 5 s); bound connection
 * acquisition in the {@link DataSource} too (for HikariCP, {@code connectionTimeout}) and socket
 * reads in the driver (PostgreSQL: {@code socketTimeout}), so a hung database cannot pin request
 * threads. When a commit fails, its outcome is unknown (the database may have committed before
 * the connection broke): a later {@link #release} of that hold then undoes the commit if it took
 * effect (a {@code reversal} entry), which keeps "503 to the client" and "not charged" together.
 *
 * <p>Thread-safe. {@link #close()} stops the sweeper; it does not close the data source.
 */
public final class JdbcLedger implements Ledger, AccountAdministration, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JdbcLedger.class.getName());
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final List<String> MIGRATIONS = List.of("V1__ledger.sql");
    private static final OffsetDateTime EARLIEST = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final OffsetDateTime LATEST = OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC);

    /** Parameter for {@link #JdbcLedger(Map)}: the JNDI name of the data source (required). */
    public static final String DATA_SOURCE = "tollgate.jdbc.dataSource";
    /** Parameter: the schema name ({@code tollgate}). */
    public static final String SCHEMA_NAME = "tollgate.jdbc.schema";
    /** Parameter: whether to create or migrate the schema at start-up ({@code false}). */
    public static final String CREATE_SCHEMA = "tollgate.jdbc.createSchema";
    /** Parameter: the hold timeout in seconds ({@code 600}). */
    public static final String HOLD_TIMEOUT = "tollgate.jdbc.holdTimeout";
    /** Parameter: the statement timeout in seconds ({@code 5}). */
    public static final String QUERY_TIMEOUT = "tollgate.jdbc.queryTimeout";
    /** Parameter: seconds between sweeps of overdue holds ({@code 30}; {@code 0} disables the sweeper). */
    public static final String SWEEP_INTERVAL = "tollgate.jdbc.sweepInterval";
    /** Parameter: seconds a replayable response is kept ({@code 86400}). */
    public static final String REPLAY_RETENTION = "tollgate.jdbc.replayRetention";

    private final DataSource dataSource;
    private final String schema;
    private final Duration holdTimeout;
    private final Duration replayRetention;
    private final int queryTimeoutSeconds;
    private final ScheduledExecutorService sweeper;
    /** Holds whose commit failed with an unknown outcome; a release may undo such a commit. */
    private final Set<Long> uncertainCommits = ConcurrentHashMap.newKeySet();
    private volatile boolean sweepFailing;

    private final String holdSql;
    private final String explainSql;
    private final String claimKeySql;
    private final String readKeySql;
    private final String bindKeySql;
    private final String deleteKeySql;
    private final String commitSql;
    private final String commitReplayableSql;
    private final String releaseSql;
    private final String reverseSql;
    private final String expireOneSql;
    private final String expireBatchSql;
    private final String purgeKeysSql;
    private final String holdStateSql;
    private final String accountSql;

    private JdbcLedger(Builder b) {
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.holdTimeout = b.holdTimeout;
        this.replayRetention = b.replayRetention;
        this.queryTimeoutSeconds = (int) Math.max(1, b.queryTimeout.toSeconds());

        String s = schema;
        String entitled = "(CAST(? AS text) IS NULL OR EXISTS (SELECT 1 FROM " + s + ".entitlements e"
                + " WHERE e.account_id = a.id AND e.name = CAST(? AS text)))";
        this.holdSql = "SELECT hold_id, expires_at, balance, currency FROM " + s
                + ".reserve(?, ?, ?, ?, ?, CAST(? AS interval))";
        this.explainSql = "SELECT a.currency, a.balance, " + entitled + " FROM " + s + ".accounts a WHERE a.id = ?";
        this.claimKeySql = "INSERT INTO " + s + ".idempotency_keys (account_id, key, fingerprint, state, expires_at)"
                + " VALUES (?, ?, ?, 'in_progress', now() + CAST(? AS interval)) ON CONFLICT (account_id, key) DO NOTHING";
        this.readKeySql = "SELECT k.fingerprint, k.state, k.hold_id, k.status, k.headers, k.body, k.body_retained,"
                + " k.expires_at <= now(), h.state, h.expires_at <= now()"
                + " FROM " + s + ".idempotency_keys k LEFT JOIN " + s + ".holds h ON h.id = k.hold_id"
                + " WHERE k.account_id = ? AND k.key = ? FOR UPDATE OF k";
        this.bindKeySql = "UPDATE " + s + ".idempotency_keys SET hold_id = ? WHERE account_id = ? AND key = ?";
        this.deleteKeySql = "DELETE FROM " + s + ".idempotency_keys WHERE account_id = ? AND key = ?";
        String commitCte = "WITH c AS (UPDATE " + s + ".holds SET state = 'committed', settled_at = now()"
                + " WHERE id = ? AND state = 'open' AND expires_at > now() RETURNING id, account_id, amount, resource),"
                + " e AS (INSERT INTO " + s + ".entries (account_id, kind, available_delta, held_delta, hold_id, reference)"
                + " SELECT account_id, 'commit', 0, -amount, id, resource FROM c)";
        this.commitSql = commitCte + " SELECT count(*) FROM c";
        this.commitReplayableSql = commitCte + ","
                + " k AS (UPDATE " + s + ".idempotency_keys SET state = 'completed', status = ?, headers = ?, body = ?,"
                + " body_retained = ?, expires_at = now() + CAST(? AS interval)"
                + " WHERE state = 'in_progress' AND hold_id IN (SELECT id FROM c))"
                + " SELECT count(*) FROM c";
        this.releaseSql = settleSql("state = 'open'", "'released'", "'release'", "amount", "-amount");
        this.reverseSql = settleSql("state = 'committed'", "'released'", "'reversal'", "amount", "0");
        this.expireOneSql = settleSql("state = 'open' AND expires_at <= now()", "'expired'", "'expiry'", "amount",
                "-amount");
        this.expireBatchSql = "WITH x AS (UPDATE " + s + ".holds SET state = 'expired', settled_at = now()"
                + " WHERE id IN (SELECT id FROM " + s + ".holds WHERE state = 'open' AND expires_at <= now()"
                + " ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id, account_id, amount, resource),"
                + " t AS (SELECT account_id, sum(amount) AS total FROM x GROUP BY account_id),"
                + " a AS (UPDATE " + s + ".accounts SET balance = balance + t.total FROM t WHERE accounts.id = t.account_id),"
                + " e AS (INSERT INTO " + s + ".entries (account_id, kind, available_delta, held_delta, hold_id, reference)"
                + " SELECT account_id, 'expiry', amount, -amount, id, resource FROM x),"
                + " k AS (DELETE FROM " + s + ".idempotency_keys WHERE state = 'in_progress'"
                + " AND hold_id IN (SELECT id FROM x))"
                + " SELECT count(*) FROM x";
        this.purgeKeysSql = "DELETE FROM " + s + ".idempotency_keys WHERE ctid IN (SELECT ctid FROM " + s
                + ".idempotency_keys WHERE expires_at <= now() AND state = 'completed' LIMIT 1000)";
        this.holdStateSql = "SELECT state, expires_at <= now() FROM " + s + ".holds WHERE id = ?";
        this.accountSql = "SELECT a.id, a.currency, a.balance, ARRAY(SELECT e.name FROM " + s + ".entitlements e"
                + " WHERE e.account_id = a.id ORDER BY e.name) FROM " + s + ".accounts a WHERE a.id = ?";

        if (b.createSchema) {
            createSchema();
        }
        if (b.sweepInterval.isZero()) {
            this.sweeper = null;
        } else {
            this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tollgate-ledger-sweeper");
                t.setDaemon(true);
                return t;
            });
            long every = b.sweepInterval.toMillis();
            sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A hold transition that returns money to the account: one statement that moves the hold out
     * of a state, credits the account, writes the entry and drops an idempotency key in progress.
     */
    private String settleSql(String condition, String newState, String kind, String available, String held) {
        String s = schema;
        return "WITH r AS (UPDATE " + s + ".holds SET state = " + newState + ", settled_at = now()"
                + " WHERE id = ? AND " + condition + " RETURNING id, account_id, amount, resource),"
                + " a AS (UPDATE " + s + ".accounts SET balance = balance + r.amount FROM r WHERE accounts.id = r.account_id),"
                + " e AS (INSERT INTO " + s + ".entries (account_id, kind, available_delta, held_delta, hold_id, reference)"
                + " SELECT account_id, " + kind + ", " + available + ", " + held + ", id, resource FROM r),"
                + " k AS (DELETE FROM " + s + ".idempotency_keys WHERE hold_id IN (SELECT id FROM r))"
                + " SELECT count(*) FROM r";
    }

    /**
     * Starts building a ledger on a data source.
     *
     * @param dataSource the application's pool; connections may be in auto-commit mode
     * @return the builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Creates a ledger from Tollgate parameters, for {@code tollgate.ledger=dev.tollgate.ledger.JdbcLedger}:
     * {@value #DATA_SOURCE} (a JNDI name such as {@code java:comp/env/jdbc/tollgate}, required),
     * {@value #SCHEMA_NAME}, {@value #CREATE_SCHEMA}, {@value #HOLD_TIMEOUT}, {@value #QUERY_TIMEOUT},
     * {@value #SWEEP_INTERVAL} and {@value #REPLAY_RETENTION}.
     *
     * @param parameters the {@code tollgate.*} parameters
     * @throws IllegalArgumentException if the data source is missing or a value is invalid
     */
    public JdbcLedger(Map<String, String> parameters) {
        this(fromParameters(parameters));
    }

    private static Builder fromParameters(Map<String, String> p) {
        String jndi = p.get(DATA_SOURCE);
        if (jndi == null || jndi.isBlank()) {
            throw new IllegalArgumentException(DATA_SOURCE + " must name the JNDI data source of the ledger,"
                    + " such as java:comp/env/jdbc/tollgate");
        }
        DataSource ds;
        try {
            Object o = new InitialContext().lookup(jndi.strip());
            if (!(o instanceof DataSource d)) {
                throw new IllegalArgumentException(DATA_SOURCE + " = \"" + jndi + "\" is a "
                        + (o == null ? "null" : o.getClass().getName()) + ", not a javax.sql.DataSource");
            }
            ds = d;
        } catch (NamingException e) {
            throw new IllegalArgumentException(DATA_SOURCE + " = \"" + jndi + "\": JNDI lookup failed: " + e, e);
        }
        Builder b = builder(ds);
        if (p.containsKey(SCHEMA_NAME)) {
            b.schema(p.get(SCHEMA_NAME).strip());
        }
        b.createSchema(Boolean.parseBoolean(p.getOrDefault(CREATE_SCHEMA, "false").strip()));
        if (p.containsKey(HOLD_TIMEOUT)) {
            b.holdTimeout(Duration.ofSeconds(seconds(p, HOLD_TIMEOUT)));
        }
        if (p.containsKey(QUERY_TIMEOUT)) {
            b.queryTimeout(Duration.ofSeconds(seconds(p, QUERY_TIMEOUT)));
        }
        if (p.containsKey(SWEEP_INTERVAL)) {
            b.sweepInterval(Duration.ofSeconds(seconds(p, SWEEP_INTERVAL)));
        }
        if (p.containsKey(REPLAY_RETENTION)) {
            b.replayRetention(Duration.ofSeconds(seconds(p, REPLAY_RETENTION)));
        }
        return b;
    }

    private static long seconds(Map<String, String> p, String name) {
        try {
            return Long.parseLong(p.get(name).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " = \"" + p.get(name) + "\": expected whole seconds");
        }
    }

    /** {@return the schema this ledger uses} */
    public String schema() {
        return schema;
    }

    // ---------------------------------------------------------------- schema

    /**
     * Creates the schema and its tables, or applies the migrations it lacks. Safe to call from
     * several nodes at once (a PostgreSQL advisory lock serialises them) and on every start.
     *
     * @throws LedgerUnavailableException if the database cannot be reached or refuses the DDL
     */
    public void createSchema() {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(Math.max(queryTimeoutSeconds, 60));
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "tollgate-schema:" + schema);
                    lock.execute();
                }
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".schema_version (version int PRIMARY KEY,"
                        + " script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                int current;
                try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM " + schema
                        + ".schema_version")) {
                    rs.next();
                    current = rs.getInt(1);
                }
                for (int v = current + 1; v <= MIGRATIONS.size(); v++) {
                    String script = MIGRATIONS.get(v - 1);
                    st.execute(resource("postgresql/" + script).replace("${schema}", schema));
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + schema
                            + ".schema_version (version, script) VALUES (?, ?)")) {
                        ins.setInt(1, v);
                        ins.setString(2, script);
                        ins.executeUpdate();
                    }
                    LOG.log(System.Logger.Level.INFO, "Tollgate ledger schema {0}: applied {1}", schema, script);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw unavailable("createSchema", e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = JdbcLedger.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/tollgate/ledger/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dev/tollgate/ledger/" + name, e);
        }
    }

    // ---------------------------------------------------------------- Ledger

    @Override
    public Reservation reserve(Charge charge) {
        Objects.requireNonNull(charge, "charge");
        if (!AccountLimits.isValidId(charge.account())) {
            // No account can have this id: answer without a query the database would reject.
            return new Reservation.Denied(DenialReason.UNKNOWN_ACCOUNT, charge.price(), null, charge.entitlement(),
                    options(charge.price()));
        }
        if (charge.idempotency().clientSupplied()) {
            try (Connection c = dataSource.getConnection()) {
                return reserveWithKey(c, charge);
            } catch (SQLException e) {
                throw unavailable("reserve", e);
            }
        }
        return autoCommit("reserve", c -> {
            Reservation.Authorized a = hold(c, charge);
            return a != null ? a : explain(c, charge);
        });
    }

    private Reservation reserveWithKey(Connection c, Charge charge) throws SQLException {
        String account = charge.account();
        String key = charge.idempotency().key();
        String fingerprint = charge.idempotency().fingerprint();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (int attempt = 0; attempt < 4; attempt++) {
                int claimed;
                try (PreparedStatement ps = prepare(c, claimKeySql)) {
                    ps.setString(1, account);
                    ps.setString(2, key);
                    ps.setString(3, fingerprint);
                    ps.setString(4, interval(holdTimeout.multipliedBy(2)));
                    claimed = ps.executeUpdate();
                }
                if (claimed == 1) {
                    Reservation.Authorized a = hold(c, charge);
                    if (a == null) {
                        c.rollback(); // the refusal aborted the transaction; the key is not kept
                        return explain(c, charge);
                    }
                    try (PreparedStatement ps = prepare(c, bindKeySql)) {
                        ps.setLong(1, Long.parseLong(a.hold().id()));
                        ps.setString(2, account);
                        ps.setString(3, key);
                        ps.executeUpdate();
                    }
                    c.commit();
                    return a;
                }
                Reservation existing;
                try {
                    existing = existingKey(c, account, key, fingerprint);
                } catch (SQLException e) {
                    if (!"40P01".equals(e.getSQLState())) {
                        throw e;
                    }
                    c.rollback(); // a deadlock victim: try again
                    continue;
                }
                c.commit();
                if (existing != null) {
                    return existing;
                }
                // The record was stale and is gone now: claim the key again.
            }
            throw new LedgerUnavailableException("idempotency key " + key + " is contended; retry");
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Decides what an existing key means; null when it was stale and has been removed. Runs with the
     * key row locked; it never waits for a hold's lock while holding it (lock order elsewhere is
     * hold, then key), so it cannot deadlock with commits, releases or the sweeper.
     */
    private Reservation existingKey(Connection c, String account, String key, String fingerprint) throws SQLException {
        try (PreparedStatement ps = prepare(c, readKeySql)) {
            ps.setString(1, account);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                boolean same = fingerprint.equals(rs.getString(1));
                String state = rs.getString(2);
                long holdId = rs.getLong(3);
                boolean stale = rs.getBoolean(8);
                String holdState = rs.getString(9);
                boolean holdOverdue = rs.getBoolean(10);
                if (state.equals("completed")) {
                    if (stale) {
                        deleteKey(c, account, key);
                        return null;
                    }
                    if (!same) {
                        return new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                    }
                    // Once the client has the result, the charge must stand: no later reversal.
                    markReplayed(c, account, key);
                    return new Reservation.Replay(recorded(rs));
                }
                if ("open".equals(holdState) && !holdOverdue) {
                    return same ? new Reservation.Conflict(Reservation.ConflictKind.IN_PROGRESS, Duration.ofSeconds(1))
                            : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                }
                if ("committed".equals(holdState)) {
                    // Committed without a recorded response: processed, but nothing to replay.
                    if (!same) {
                        return new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                    }
                    markReplayed(c, account, key);
                    return new Reservation.Replay(new RecordedResponse(200, List.of(), new byte[0], false));
                }
                if ("open".equals(holdState)) {
                    // Overdue: expire it now (the lazy half of expiry), unless someone holds it.
                    String now = lockHoldNowait(c, holdId);
                    if (now == null) {
                        return new Reservation.Conflict(Reservation.ConflictKind.IN_PROGRESS, Duration.ofSeconds(1));
                    }
                    if (now.equals("open")) {
                        settle(c, expireOneSql, holdId); // also drops the key
                        return null;
                    }
                    if (now.equals("committed")) {
                        return same ? new Reservation.Conflict(Reservation.ConflictKind.IN_PROGRESS, Duration.ofSeconds(1))
                                : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                    }
                }
                deleteKey(c, account, key);
                return null;
            }
        }
    }

    /** Locks a hold if nobody else has it; its state, or null when it is locked elsewhere. */
    private String lockHoldNowait(Connection c, long holdId) throws SQLException {
        java.sql.Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = prepare(c, "SELECT state FROM " + schema + ".holds WHERE id = ? FOR UPDATE NOWAIT")) {
            ps.setLong(1, holdId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "gone";
            }
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                c.rollback(sp);
                return null;
            }
            throw e;
        } finally {
            try {
                c.releaseSavepoint(sp);
            } catch (SQLException ignored) {
                // already released by the rollback
            }
        }
    }

    private void markReplayed(Connection c, String account, String key) throws SQLException {
        try (PreparedStatement ps = prepare(c, "UPDATE " + schema + ".idempotency_keys SET replayed = true"
                + " WHERE account_id = ? AND key = ? AND NOT replayed")) {
            ps.setString(1, account);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }

    private static RecordedResponse recorded(ResultSet rs) throws SQLException {
        int status = rs.getInt(4);
        Array headers = rs.getArray(5);
        List<Entry<String, String>> list = new ArrayList<>();
        if (headers != null) {
            String[] flat = (String[]) headers.getArray();
            for (int i = 0; i + 1 < flat.length; i += 2) {
                list.add(Map.entry(flat[i], flat[i + 1]));
            }
        }
        byte[] body = rs.getBytes(6);
        boolean retained = rs.getBoolean(7);
        return new RecordedResponse(status == 0 ? 200 : status, list, body == null ? new byte[0] : body, retained);
    }

    private void deleteKey(Connection c, String account, String key) throws SQLException {
        try (PreparedStatement ps = prepare(c, deleteKeySql)) {
            ps.setString(1, account);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }

    /** SQLSTATE of a refusal raised by the {@code reserve} function. */
    private static final String REFUSED = "TG001";

    /**
     * The atomic hold + entry + debit (the {@code reserve} function of the schema); null when the
     * account cannot pay or does not exist. A refusal rolls back the current transaction.
     */
    private Reservation.Authorized hold(Connection c, Charge charge) throws SQLException {
        Money price = charge.price();
        try (PreparedStatement ps = prepare(c, holdSql)) {
            ps.setString(1, charge.account());
            ps.setBigDecimal(2, price.amount());
            ps.setString(3, price.currency());
            ps.setString(4, charge.entitlement());
            ps.setString(5, charge.resource());
            ps.setString(6, interval(holdTimeout));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                Instant expires = rs.getObject(2, OffsetDateTime.class).toInstant();
                String currency = rs.getString(4);
                Money balance = new Money(rs.getBigDecimal(3), currency);
                Money amount = price.isZero() ? Money.zero(currency) : price;
                return new Reservation.Authorized(new Hold(Long.toString(id), charge.account(), amount, expires), balance);
            }
        } catch (SQLException e) {
            if (REFUSED.equals(e.getSQLState())) {
                return null;
            }
            throw e;
        }
    }

    /** Why a charge cannot be held (read after the failed debit; informational). */
    private Reservation.Denied explain(Connection c, Charge charge) throws SQLException {
        Money price = charge.price();
        try (PreparedStatement ps = prepare(c, explainSql)) {
            ps.setString(1, charge.entitlement());
            ps.setString(2, charge.entitlement());
            ps.setString(3, charge.account());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Reservation.Denied(DenialReason.UNKNOWN_ACCOUNT, price, null, charge.entitlement(),
                            options(price));
                }
                Money balance = new Money(rs.getBigDecimal(2), rs.getString(1));
                if (!rs.getBoolean(3)) {
                    return new Reservation.Denied(DenialReason.MISSING_ENTITLEMENT, price, balance, charge.entitlement(),
                            List.of());
                }
                if (!price.isZero() && !price.currency().equals(balance.currency())) {
                    return new Reservation.Denied(DenialReason.CURRENCY_MISMATCH, price, balance, null, List.of());
                }
                return new Reservation.Denied(DenialReason.INSUFFICIENT_FUNDS, price, balance, null, options(price));
            }
        }
    }

    private static List<PaymentOption> options(Money price) {
        return price.isZero() ? List.of() : List.of(new PaymentOption(PaymentOption.ACCOUNT, price,
                "Present the key of an account that holds at least the price.", Map.of()));
    }

    @Override
    public Settlement commit(Hold hold, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        long id = holdId(hold);
        if (id < 0) {
            return Settlement.UNKNOWN;
        }
        try {
            return autoCommit("commit", c -> {
                int n;
                try (PreparedStatement ps = prepare(c, response == null ? commitSql : commitReplayableSql)) {
                    ps.setLong(1, id);
                    if (response != null) {
                        // The replayable response is stored in the same statement as the charge.
                        List<String> flat = new ArrayList<>();
                        for (Entry<String, String> h : response.headers()) {
                            flat.add(h.getKey());
                            flat.add(h.getValue());
                        }
                        ps.setInt(2, response.status());
                        ps.setArray(3, c.createArrayOf("text", flat.toArray()));
                        ps.setBytes(4, response.body());
                        ps.setBoolean(5, response.bodyRetained());
                        ps.setString(6, interval(replayRetention));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        n = rs.getInt(1);
                    }
                }
                if (n == 1) {
                    uncertainCommits.remove(id);
                    return Settlement.COMMITTED;
                }
                return stateAfterRefusedTransition(c, id);
            });
        } catch (LedgerUnavailableException e) {
            // The commit may or may not have reached the database: let a later release undo it.
            uncertainCommits.add(id);
            throw e;
        }
    }

    @Override
    public Settlement release(Hold hold) {
        Objects.requireNonNull(hold, "hold");
        long id = holdId(hold);
        if (id < 0) {
            return Settlement.UNKNOWN;
        }
        Settlement s = autoCommit("release", c -> settle(c, releaseSql, id) == 1 ? Settlement.RELEASED
                : uncertainCommits.contains(id) ? null : stateAfterRefusedTransition(c, id));
        if (s == null) {
            s = reverseUncertainCommit(id);
        }
        if (s != null) {
            uncertainCommits.remove(id);
        }
        return s;
    }

    /**
     * Undoes a commit whose outcome was unknown to its caller (who refused the client), unless the
     * client has meanwhile received the recorded response through a replay. Locks the hold, then its
     * key, like every other transition.
     */
    private Settlement reverseUncertainCommit(long id) {
        return inTransaction("release", c -> {
            String state;
            try (PreparedStatement ps = prepare(c, "SELECT state FROM " + schema + ".holds WHERE id = ? FOR UPDATE")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    state = rs.next() ? rs.getString(1) : null;
                }
            }
            if (!"committed".equals(state)) {
                return stateAfterRefusedTransition(c, id);
            }
            try (PreparedStatement ps = prepare(c, "SELECT bool_or(replayed) FROM (SELECT replayed FROM " + schema
                    + ".idempotency_keys WHERE hold_id = ? FOR UPDATE) k")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return Settlement.COMMITTED; // the client has the result: the charge stands
                    }
                }
            }
            settle(c, reverseSql, id);
            LOG.log(System.Logger.Level.WARNING, "Hold {0}: a commit that failed with an unknown outcome had taken"
                    + " effect; it was reversed, as the client was refused", Long.toString(id));
            return Settlement.RELEASED;
        });
    }

    private Settlement stateAfterRefusedTransition(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = prepare(c, holdStateSql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Settlement.UNKNOWN;
                }
                String state = rs.getString(1);
                if (state.equals("open") && rs.getBoolean(2)) {
                    // Overdue: the lazy half of expiry.
                    return settle(c, expireOneSql, id) == 1 ? Settlement.EXPIRED : stateAfterRefusedTransition(c, id);
                }
                return switch (state) {
                    case "committed" -> Settlement.COMMITTED;
                    case "released" -> Settlement.RELEASED;
                    case "expired" -> Settlement.EXPIRED;
                    default -> Settlement.UNKNOWN; // still open and not overdue: cannot happen after a refusal
                };
            }
        }
    }

    private int settle(Connection c, String sql, long holdId) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql)) {
            ps.setLong(1, holdId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static long holdId(Hold hold) {
        try {
            return Long.parseLong(hold.id());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public Optional<Account> account(String accountId) {
        if (!AccountLimits.isValidId(accountId)) {
            return Optional.empty();
        }
        return autoCommit("account", c -> {
            try (PreparedStatement ps = prepare(c, accountSql)) {
                ps.setString(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    String[] entitlements = (String[]) rs.getArray(4).getArray();
                    return Optional.of(new Account(rs.getString(1), new Money(rs.getBigDecimal(3), rs.getString(2)),
                            Set.of(entitlements)));
                }
            }
        });
    }

    // ---------------------------------------------------------------- expiry

    /**
     * Expires every overdue hold now: returns its money, writes an {@code expiry} entry and drops
     * its idempotency key. The sweeper calls this; several nodes may run it concurrently.
     *
     * @return how many holds expired
     * @throws LedgerUnavailableException if the database cannot be reached
     */
    public int expireOverdueHolds() {
        int total = autoCommit("expireOverdueHolds", c -> {
            int sum = 0;
            int n;
            do {
                try (PreparedStatement ps = prepare(c, expireBatchSql); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = rs.getInt(1);
                } catch (SQLException e) {
                    if ("40P01".equals(e.getSQLState())) {
                        // Another node's sweeper locked the same accounts in another order; the
                        // batch rolled back and the next sweep takes it again.
                        LOG.log(System.Logger.Level.DEBUG, "Sweeper batch lost a deadlock; retried next sweep");
                        return sum;
                    }
                    if (!isDataError(e)) {
                        throw e;
                    }
                    // Some hold in the batch cannot be expired (the batch rolled back as a whole):
                    // go hold by hold, so that one bad hold does not stop the others.
                    LOG.log(System.Logger.Level.DEBUG, "Sweeper batch failed on the data (SQLState {0});"
                            + " expiring hold by hold", e.getSQLState());
                    sum += expireOneByOne(c);
                    break;
                }
                sum += n;
            } while (n == 500);
            try (PreparedStatement ps = prepare(c, purgeKeysSql)) {
                while (ps.executeUpdate() == 1000) {
                    // keep purging expired replay records in bounded batches
                }
            }
            return sum;
        });
        if (total > 0) {
            LOG.log(System.Logger.Level.WARNING, "Expired {0} unsettled hold(s); their money went back", total);
        }
        return total;
    }

    /** Data exceptions (class 22, such as numeric overflow) and integrity violations (class 23). */
    private static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * Expires overdue holds one statement each (auto-commit), in id order; a hold that fails is
     * logged at WARNING with its id and skipped. Bounded by the number of overdue holds.
     */
    private int expireOneByOne(Connection c) throws SQLException {
        int expired = 0;
        long after = 0;
        List<Long> page = new ArrayList<>();
        do {
            page.clear();
            try (PreparedStatement ps = prepare(c, "SELECT id FROM " + schema + ".holds WHERE state = 'open'"
                    + " AND expires_at <= now() AND id > ? ORDER BY id LIMIT 500")) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(rs.getLong(1));
                    }
                }
            }
            for (long id : page) {
                after = id;
                try {
                    expired += settle(c, expireOneSql, id);
                } catch (SQLException e) {
                    if (!isDataError(e) && !"40P01".equals(e.getSQLState())) {
                        throw e;
                    }
                    LOG.log(System.Logger.Level.WARNING, "Hold {0} cannot be expired (SQLState {1}: {2}); it stays"
                            + " open and the other holds are swept regardless", Long.toString(id), e.getSQLState(),
                            e.getMessage());
                }
            }
        } while (page.size() == 500);
        return expired;
    }

    private void sweep() {
        try {
            expireOverdueHolds();
            if (sweepFailing) {
                LOG.log(System.Logger.Level.INFO, "Tollgate ledger sweeper reaches the database again");
                sweepFailing = false;
            }
        } catch (RuntimeException e) {
            if (!sweepFailing) {
                LOG.log(System.Logger.Level.WARNING, "Tollgate ledger sweeper cannot reach the database (will retry): "
                        + e.getMessage());
                sweepFailing = true;
            }
        }
    }

    /** {@return the number of open holds (for monitoring and tests)} */
    public long openHoldCount() {
        return autoCommit("openHoldCount", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT count(*) FROM " + schema + ".holds WHERE state = 'open'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    // ---------------------------------------------------------------- administration

    @Override
    public boolean openAccount(String id, Money balance, Set<String> entitlements) {
        AccountLimits.requireValidId(id);
        Objects.requireNonNull(balance, "balance");
        AccountLimits.requireWithinMaximum(balance.amount(), balance);
        for (String e : entitlements) {
            AccountLimits.requireValidEntitlement(e);
        }
        return inTransaction("openAccount", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO " + schema + ".accounts (id, currency, balance)"
                    + " VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                ps.setString(1, id);
                ps.setString(2, balance.currency());
                ps.setBigDecimal(3, balance.amount());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            for (String e : new TreeSet<>(entitlements)) {
                grant(c, id, e);
            }
            entry(c, id, "open", balance.amount(), BigDecimal.ZERO, null);
            return true;
        });
    }

    @Override
    public Money credit(String id, Money amount, String reference) {
        return adjust(id, amount, true, reference);
    }

    @Override
    public Money debit(String id, Money amount, String reference) {
        return adjust(id, amount, false, reference);
    }

    private Money adjust(String id, Money amount, boolean credit, String reference) {
        AccountLimits.requireValidId(id);
        Objects.requireNonNull(amount, "amount");
        AccountLimits.requireValidReference(reference);
        if (credit) {
            AccountLimits.requireWithinMaximum(amount.amount(), amount);
        }
        return inTransaction(credit ? "credit" : "debit", c -> {
            // A credit counts the money under open holds, which releases and expiries will return,
            // so that none of them can take the balance past the column. (Open holds are few; the
            // sum reads them through the partial index on open holds.)
            String sql = "UPDATE " + schema + ".accounts SET balance = balance " + (credit ? "+" : "-") + " ?"
                    + " WHERE id = ? AND currency = ? AND " + (credit ? "balance + ? + coalesce((SELECT sum(h.amount)"
                    + " FROM " + schema + ".holds h WHERE h.state = 'open' AND h.account_id = accounts.id), 0) <= ?"
                    : "balance >= ?") + " RETURNING balance";
            try (PreparedStatement ps = prepare(c, sql)) {
                ps.setBigDecimal(1, amount.amount());
                ps.setString(2, id);
                ps.setString(3, amount.currency());
                ps.setBigDecimal(4, amount.amount());
                if (credit) {
                    ps.setBigDecimal(5, AccountLimits.MAX_BALANCE);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        BigDecimal after = rs.getBigDecimal(1);
                        entry(c, id, credit ? "credit" : "debit", credit ? amount.amount() : amount.amount().negate(),
                                BigDecimal.ZERO, reference);
                        return new Money(after, amount.currency());
                    }
                }
            }
            Account a = requireAccount(c, id);
            if (!a.balance().currency().equals(amount.currency())) {
                throw new IllegalArgumentException("account " + id + " is kept in " + a.balance().currency() + ", not "
                        + amount.currency());
            }
            if (credit) {
                throw AccountLimits.overMaximum(amount); // the only other reason the update can refuse
            }
            throw new IllegalStateException("account " + id + " holds " + a.balance() + ", less than " + amount);
        });
    }

    private void entry(Connection c, String account, String kind, BigDecimal available, BigDecimal held,
                       String reference) throws SQLException {
        try (PreparedStatement ps = prepare(c, "INSERT INTO " + schema + ".entries (account_id, kind, available_delta,"
                + " held_delta, reference) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, account);
            ps.setString(2, kind);
            ps.setBigDecimal(3, available);
            ps.setBigDecimal(4, held);
            ps.setString(5, reference);
            ps.executeUpdate();
        }
    }

    @Override
    public void grant(String id, String entitlement) {
        AccountLimits.requireValidId(id);
        AccountLimits.requireValidEntitlement(entitlement);
        inTransaction("grant", c -> {
            requireAccount(c, id);
            grant(c, id, entitlement);
            return null;
        });
    }

    private void grant(Connection c, String id, String entitlement) throws SQLException {
        try (PreparedStatement ps = prepare(c, "INSERT INTO " + schema + ".entitlements (account_id, name)"
                + " VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, id);
            ps.setString(2, entitlement);
            ps.executeUpdate();
        }
    }

    @Override
    public void revoke(String id, String entitlement) {
        AccountLimits.requireValidId(id);
        AccountLimits.requireValidEntitlement(entitlement);
        inTransaction("revoke", c -> {
            requireAccount(c, id);
            try (PreparedStatement ps = prepare(c, "DELETE FROM " + schema + ".entitlements WHERE account_id = ?"
                    + " AND name = ?")) {
                ps.setString(1, id);
                ps.setString(2, entitlement);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<LedgerEntry> statement(String id, Instant from, Instant to, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1 to 10000: " + limit);
        }
        AccountLimits.requireValidId(id);
        return inTransaction("statement", c -> {
            Account a = requireAccount(c, id);
            List<LedgerEntry> out = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, "SELECT id, kind, available_delta, held_delta, hold_id, reference,"
                    + " created_at FROM " + schema + ".entries WHERE account_id = ? AND created_at >= ?"
                    + " AND created_at < ? ORDER BY id LIMIT ?")) {
                ps.setString(1, id);
                ps.setObject(2, clamp(from));
                ps.setObject(3, clamp(to));
                ps.setInt(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long hold = rs.getLong(5);
                        String holdId = rs.wasNull() ? null : Long.toString(hold);
                        out.add(new LedgerEntry(rs.getLong(1), id,
                                LedgerEntry.Kind.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)),
                                plain(rs.getBigDecimal(3)), plain(rs.getBigDecimal(4)),
                                a.balance().currency(), holdId, rs.getString(6),
                                rs.getObject(7, OffsetDateTime.class).toInstant()));
                    }
                }
            }
            return out;
        });
    }

    private Account requireAccount(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = prepare(c, accountSql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no such account: " + id);
                }
                return new Account(rs.getString(1), new Money(rs.getBigDecimal(3), rs.getString(2)),
                        Set.of((String[]) rs.getArray(4).getArray()));
            }
        }
    }

    /** Without the column's 18 trailing zeros, and never in exponent form (1000, not 1E+3). */
    private static BigDecimal plain(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static OffsetDateTime clamp(Instant i) {
        OffsetDateTime t;
        try {
            t = OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return i.isBefore(Instant.EPOCH) ? EARLIEST : LATEST;
        }
        return t.isBefore(EARLIEST) ? EARLIEST : t.isAfter(LATEST) ? LATEST : t;
    }

    // ---------------------------------------------------------------- plumbing

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs single statements each in its own transaction, whatever mode the pool hands connections
     * out in (a pool with auto-commit off would otherwise roll every change back on return).
     */
    private <T> T autoCommit(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (!auto) {
                c.setAutoCommit(true);
            }
            try {
                return work.run(c);
            } finally {
                if (!auto) {
                    c.setAutoCommit(false);
                }
            }
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
    }

    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(queryTimeoutSeconds);
        return ps;
    }

    private static String interval(Duration d) {
        return d.toMillis() + " milliseconds";
    }

    private RuntimeException unavailable(String verb, SQLException e) {
        String state = e.getSQLState();
        if ("42P01".equals(state) || "3F000".equals(state)) {
            return new LedgerSchemaException("Tollgate ledger tables are missing in schema " + schema
                    + ": call JdbcLedger.createSchema() or set " + CREATE_SCHEMA + "=true (" + e.getMessage() + ")", e);
        }
        return new LedgerUnavailableException("ledger database failed on " + verb + " (SQLState " + state + "): "
                + e.getMessage(), e);
    }

    /** Stops the sweeper. The data source stays open: it belongs to the application. */
    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "JdbcLedger[schema=" + schema + ", holdTimeout=" + holdTimeout + "]";
    }

    /**
     * Builds a {@link JdbcLedger}. Not thread-safe; the ledger is.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema = "tollgate";
        private boolean createSchema;
        private Duration holdTimeout = Duration.ofMinutes(10);
        private Duration queryTimeout = Duration.ofSeconds(5);
        private Duration sweepInterval = Duration.ofSeconds(30);
        private Duration replayRetention = Duration.ofHours(24);

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * Sets the schema of the ledger's tables.
         *
         * @param name lower-case letters, digits and underscores, starting with a letter or
         *     underscore; {@code tollgate} by default
         * @return this builder
         */
        public Builder schema(String name) {
            if (name == null || !SCHEMA.matcher(name).matches()) {
                throw new IllegalArgumentException("schema must match " + SCHEMA + ": " + name);
            }
            this.schema = name;
            return this;
        }

        /**
         * Creates or migrates the schema when the ledger is built (see {@link JdbcLedger#createSchema()}).
         *
         * @param create {@code false} by default
         * @return this builder
         */
        public Builder createSchema(boolean create) {
            this.createSchema = create;
            return this;
        }

        /**
         * Sets how long a hold may stay open before it expires. Must exceed the longest paid request.
         *
         * @param timeout at least one second; 10 minutes by default
         * @return this builder
         */
        public Builder holdTimeout(Duration timeout) {
            this.holdTimeout = atLeast(timeout, Duration.ofSeconds(1), "holdTimeout");
            return this;
        }

        /**
         * Sets the timeout of every statement.
         *
         * @param timeout at least one second; 5 seconds by default
         * @return this builder
         */
        public Builder queryTimeout(Duration timeout) {
            this.queryTimeout = atLeast(timeout, Duration.ofSeconds(1), "queryTimeout");
            return this;
        }

        /**
         * Sets how often the sweeper expires overdue holds.
         *
         * @param interval zero to run no sweeper (then call {@link JdbcLedger#expireOverdueHolds()}
         *     yourself), else at least 100 ms; 30 seconds by default
         * @return this builder
         */
        public Builder sweepInterval(Duration interval) {
            Objects.requireNonNull(interval, "sweepInterval");
            this.sweepInterval = interval.isZero() ? interval
                    : atLeast(interval, Duration.ofMillis(100), "sweepInterval");
            return this;
        }

        /**
         * Sets how long the response of a committed idempotent request is kept for replay.
         *
         * @param retention at least one second; 24 hours by default
         * @return this builder
         */
        public Builder replayRetention(Duration retention) {
            this.replayRetention = atLeast(retention, Duration.ofSeconds(1), "replayRetention");
            return this;
        }

        /**
         * {@return the ledger}
         *
         * @throws LedgerUnavailableException if {@link #createSchema(boolean)} is set and the
         *     database cannot be reached
         */
        public JdbcLedger build() {
            return new JdbcLedger(this);
        }

        private static Duration atLeast(Duration d, Duration min, String name) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(name + " must be at least " + min + ": " + d);
            }
            return d;
        }
    }

}
