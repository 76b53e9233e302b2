package dev.tollgate.ledger.postgresql;

import dev.tollgate.Money;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.AllowanceAdministration;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.ledger.AccountLimits;
import dev.tollgate.spi.KeyLookup;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link Ledger} in PostgreSQL, over plain JDBC. Several application servers can share one
 * database: balances, holds and idempotency keys live only there.
 *
 * <h2>Schema</h2>
 * Tables in one schema (default {@code tollgate}): {@code accounts} (available balance),
 * {@code entitlements}, {@code holds} (open → committed | released | expired), {@code entries}
 * (append-only: every balance change and why), {@code idempotency_keys}, {@code keys} and
 * {@code payment_claims} (single-use claims of payment credentials, {@link #claimStore()}). The DDL
 * ships in this JAR as versioned scripts ({@code dev/tollgate/ledger/postgresql/V1__ledger.sql}, …);
 * {@link #createSchema()} applies the missing ones under an advisory lock and records them in
 * {@code schema_version}, so several nodes may call it at start-up.
 *
 * <h2>Accounts and keys</h2>
 * An account has an id of its own, never a credential, and any number of keys in {@code keys}
 * ({@link KeyAdministration}): each stored as its SHA-256 hash (the primary key, so Tollgate's
 * {@link #findKey} is one index probe), a display prefix, a name, creation, coarse last use (written
 * at most once a minute per key), expiry and revocation, on the database's clock. The upgrade from
 * schema version 2 (or 1), where an account's id was its key, to version 3 gives each account a random
 * id ({@code acct_} and 32 hex digits, never derived from the key), rewrites every reference to it and
 * keeps the key only as its hash: the key still works and no live row holds it in clear. It logs a
 * WARNING to purge the old text from dead tuples, indexes, WAL and backups (docs/postgresql.md).
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
 * <h2>Group commit</h2>
 * On by default ({@link Builder#groupCommit}, {@value #GROUP_COMMIT}): reserves and commits of
 * concurrent requests (those without a client's idempotency key or a response to record) share
 * transactions. The first request goes at once, alone; those arriving while a batch is in flight
 * go together in the next one, applied by one call of the schema's {@code apply_batch} function,
 * each with the semantics above, and every caller returns once that transaction is durable. A batch whose transaction fails gives every member the same answer.
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
 * <h2>Logging</h2>
 * Everything the ledger logs goes to the logger named after this class.
 *
 * <p>Thread-safe. {@link #close()} stops the sweeper; it does not close the data source.
 */
public final class PostgresLedger extends LedgerAdministration implements Ledger, AccountAdministration, KeyLookup, KeyAdministration,
        AllowanceAdministration, AutoCloseable {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Parameter for {@link #PostgresLedger(Map)}: the JNDI name of the data source (required). */
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
    /**
     * Parameter: whether concurrent reserves and commits share transactions ({@code true} or
     * {@code false}; {@code true} by default). See {@link Builder#groupCommit(boolean)}.
     */
    public static final String GROUP_COMMIT = "tollgate.postgresql.groupCommit";

    private final String schema;
    private final Duration holdTimeout;
    private final boolean groupCommit;
    private final SchemaMigrations migrations;
    private final Holds holds;
    private final IdempotencyRecords idempotency;
    private final PostgresClaimStore claims;
    private final HoldSweeper sweeper;

    private PostgresLedger(Builder b) {
        this(b, new LedgerDatabase(b.dataSource, b.schema, (int) Math.max(1, b.queryTimeout.toSeconds())));
    }

    private PostgresLedger(Builder b, LedgerDatabase db) {
        super(db);
        this.schema = b.schema;
        this.holdTimeout = b.holdTimeout;
        this.groupCommit = b.groupCommit;
        this.migrations = new SchemaMigrations(db);
        this.holds = new Holds(db, b.holdTimeout, b.replayRetention, b.groupCommit ? b.groupCommitLanes : 0);
        this.idempotency = new IdempotencyRecords(db, holds, b.holdTimeout);
        this.claims = new PostgresClaimStore(db);
        if (b.createSchema) {
            createSchema();
        }
        this.sweeper = new HoldSweeper(db, b.sweepInterval);
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
     * Creates a ledger from Tollgate parameters, for
     * {@code tollgate.ledger=dev.tollgate.ledger.postgresql.PostgresLedger}:
     * {@value #DATA_SOURCE} (a JNDI name such as {@code java:comp/env/jdbc/tollgate}, required),
     * {@value #SCHEMA_NAME}, {@value #CREATE_SCHEMA}, {@value #HOLD_TIMEOUT}, {@value #QUERY_TIMEOUT},
     * {@value #SWEEP_INTERVAL}, {@value #REPLAY_RETENTION} and {@value #GROUP_COMMIT}.
     *
     * @param parameters the {@code tollgate.*} parameters
     * @throws IllegalArgumentException if the data source is missing or a value is invalid
     */
    public PostgresLedger(Map<String, String> parameters) {
        this(TollgateParameters.builder(parameters));
    }

    /** {@return single-use claims of payment credentials, in this ledger's schema (table {@code payment_claims})} */
    @Override
    public Optional<dev.tollgate.spi.payment.ClaimStore> claimStore() {
        return Optional.of(claims);
    }

    /** {@return the schema this ledger uses} */
    public String schema() {
        return schema;
    }

    /**
     * Creates the schema and its tables, or applies the migrations it lacks. Safe to call from
     * several nodes at once (a PostgreSQL advisory lock serialises them) and on every start.
     *
     * @throws LedgerUnavailableException if the database cannot be reached or refuses the DDL
     */
    public void createSchema() {
        migrations.apply();
    }

    // ---------------------------------------------------------------- Ledger

    @Override
    public Reservation reserve(Charge charge) {
        Objects.requireNonNull(charge, "charge");
        if (!AccountLimits.isValidId(charge.account())) {
            // No account can have this id: answer without a query the database would reject.
            return new Reservation.Denied(DenialReason.UNKNOWN_ACCOUNT, charge.price(), null, charge.entitlement(),
                    Holds.options(charge.price()));
        }
        if (charge.idempotency().clientSupplied()) {
            return idempotency.reserve(charge);
        }
        return holds.reserve(charge);
    }

    @Override
    public Settlement commit(Hold hold, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        return holds.commit(hold, response);
    }

    /**
     * Charges {@code actual} and credits the rest of the hold back in one statement: the hold row
     * keeps the charged amount, and the entries show a {@code commit} of it and a {@code release}
     * of the rest.
     */
    @Override
    public Settlement commit(Hold hold, Money actual, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        Objects.requireNonNull(actual, "actual");
        return holds.commit(hold, actual, response);
    }

    /** {@return true: this ledger charges part of a hold and returns the rest} */
    @Override
    public boolean commitsActualAmounts() {
        return true;
    }

    @Override
    public Settlement release(Hold hold) {
        Objects.requireNonNull(hold, "hold");
        return holds.release(hold);
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
        return sweeper.expireOverdueHolds();
    }

    /** {@return whether concurrent reserves and commits share transactions} See {@link Builder#groupCommit}. */
    public boolean groupCommit() {
        return groupCommit;
    }

    /** {@return whether group commit is at work (on, and the schema has its function)} For tests. */
    boolean batching() {
        return holds.batching();
    }

    /** {@return the batcher of an account, or null when group commit is off} For tests. */
    GroupCommit batches(String account) {
        return holds.batches(account);
    }

    /** {@return the number of open holds (for monitoring and tests)} */
    public long openHoldCount() {
        return sweeper.openHoldCount();
    }

    /** Stops the sweeper. The data source stays open: it belongs to the application. */
    @Override
    public void close() {
        sweeper.close();
    }

    @Override
    public String toString() {
        return "PostgresLedger[schema=" + schema + ", holdTimeout=" + holdTimeout + ", groupCommit=" + groupCommit
                + "]";
    }

    /**
     * Builds a {@link PostgresLedger}. Not thread-safe; the ledger is.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema = "tollgate";
        private boolean createSchema;
        private Duration holdTimeout = Duration.ofMinutes(10);
        private Duration queryTimeout = Duration.ofSeconds(5);
        private Duration sweepInterval = Duration.ofSeconds(30);
        private Duration replayRetention = Duration.ofHours(24);
        private boolean groupCommit = true;
        private int groupCommitLanes = Holds.DEFAULT_LANES;

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
         * Creates or migrates the schema when the ledger is built (see {@link PostgresLedger#createSchema()}).
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
         * @param interval zero to run no sweeper (then call {@link PostgresLedger#expireOverdueHolds()}
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
         * Sets whether reserves and commits of concurrent requests share transactions (group
         * commit). With it, a reserve (without a client's {@code Idempotency-Key}) or a commit
         * (without a response to record) joins the next batch: the first request finds no batch in
         * flight and goes alone at once, and those that arrive while a batch is in flight go
         * together in the next one, as one call of the schema's {@code apply_batch} function (one
         * round trip, one durable commit). Every member keeps its own conditional semantics (one
         * account that cannot pay fails only its own reserve), each caller gets its answer once the
         * batch has committed, and a batch whose transaction fails gives every member the same
         * answer: a {@link LedgerUnavailableException} whose commits are then handled as commits of
         * unknown outcome. Needs schema version 2 ({@link PostgresLedger#createSchema()}); on a
         * schema of version 1 the ledger logs a WARNING and works without it.
         *
         * @param enabled {@code true} by default
         * @return this builder
         */
        public Builder groupCommit(boolean enabled) {
            this.groupCommit = enabled;
            return this;
        }

        /**
         * Sets how many batches of different accounts may be in flight at once (for tests, which
         * need one to compose batches deterministically).
         */
        Builder groupCommitLanes(int lanes) {
            if (lanes < 1) {
                throw new IllegalArgumentException("groupCommitLanes must be at least 1: " + lanes);
            }
            this.groupCommitLanes = lanes;
            return this;
        }

        /**
         * {@return the ledger}
         *
         * @throws LedgerUnavailableException if {@link #createSchema(boolean)} is set and the
         *     database cannot be reached
         */
        public PostgresLedger build() {
            return new PostgresLedger(this);
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
