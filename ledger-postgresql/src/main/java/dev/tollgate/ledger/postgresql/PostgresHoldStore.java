package dev.tollgate.ledger.postgresql;

import static dev.tollgate.ledger.postgresql.BalanceStoreDatabase.at;
import static dev.tollgate.ledger.postgresql.BalanceStoreDatabase.hold;
import static dev.tollgate.ledger.postgresql.BalanceStoreDatabase.instant;
import static dev.tollgate.ledger.postgresql.BalanceStoreDatabase.settlement;

import dev.tollgate.ledger.HoldStore;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link dev.tollgate.ledger.BalanceLedger}'s holds and idempotency records in two PostgreSQL
 * tables, {@code balance_holds} and {@code balance_keys}, which this class creates
 * ({@code dev/tollgate/ledger/postgresql/balance-store.sql}). Every node of a cluster that uses the
 * same tables sees the same holds and keys: a retry reaching another node is replayed, and any
 * node's sweep expires (and credits back) the holds of a node that stopped.
 *
 * <pre>{@code
 * Ledger ledger = BalanceLedger.builder(new CustomerAccountsBalances(dataSource))
 *         .store(PostgresHoldStore.builder(dataSource).build())
 *         .build();
 * }</pre>
 *
 * <p>Each decision runs in one transaction with the rows it depends on locked, so two nodes never
 * both claim a key or both move a hold out of {@code open}. A node that stops between the
 * application's debit and marking the hold {@code open} leaves it {@code debiting}, and one that stops
 * during a credit leaves it {@code releasing} or {@code expiring}: the outcome of that call is
 * unknown here, so such holds are left for the application's reconciliation (by the debit
 * reference, which is the hold id) rather than credited twice.
 *
 * <p>Thread-safe; every call borrows a connection from the application's pool and may block for up
 * to the query timeout, then throws {@link LedgerUnavailableException}.
 */
public final class PostgresHoldStore implements HoldStore {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** Rows a sweep deletes at most per table, so one call's work stays bounded. */
    private static final int CLEANUP_BATCH = 1000;

    private final BalanceStoreDatabase db;
    private final String t;
    private final BalanceKeys keys;
    private final Duration settledRetention;

    private PostgresHoldStore(Builder b) {
        int queryTimeoutSeconds = (int) Math.max(1, b.queryTimeout.toSeconds());
        this.db = new BalanceStoreDatabase(b.dataSource, b.schema, queryTimeoutSeconds);
        this.t = b.schema;
        this.keys = new BalanceKeys(b.schema, queryTimeoutSeconds, b.maxKeysPerAccount, b.maxBodyBytes);
        this.settledRetention = b.settledRetention;
    }

    /**
     * Starts a store on the application's pool.
     *
     * @param dataSource the pool; never closed here
     * @return a builder with default settings
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Creates the schema and the tables if they are missing; safe to run on every node at every start.
     *
     * @throws LedgerUnavailableException if the database refuses
     */
    public void createSchema() {
        db.createSchema();
    }

    @Override
    public Reservation open(Hold hold, Idempotency idempotency, Instant now, Duration retryAfter) {
        return db.tx("reserve", c -> {
            if (idempotency.clientSupplied()) {
                Reservation refused = keys.claim(c, hold, idempotency, now, retryAfter);
                if (refused != null) {
                    return refused;
                }
            }
            try (PreparedStatement ps = db.prepare(c, "INSERT INTO " + t + ".balance_holds (id, account_id, amount,"
                    + " currency, state, expires_at) VALUES (?, ?, ?, ?, 'debiting', ?)")) {
                ps.setString(1, hold.id());
                ps.setString(2, hold.account());
                ps.setBigDecimal(3, hold.amount().amount());
                ps.setString(4, hold.amount().currency());
                ps.setObject(5, at(hold.expiresAt()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void opened(String holdId) {
        db.update("opened", "UPDATE " + t + ".balance_holds SET state = 'open' WHERE id = ? AND state = 'debiting'", holdId);
    }

    @Override
    public void abandon(String holdId) {
        db.tx("abandon", c -> {
            keys.forget(c, holdId);
            try (PreparedStatement ps = db.prepare(c, "DELETE FROM " + t + ".balance_holds WHERE id = ?"
                    + " AND state = 'debiting'")) {
                ps.setString(1, holdId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Settlement commit(String holdId, RecordedResponse response, Instant now, Duration retention) {
        return db.tx("commit", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT state, expires_at FROM " + t + ".balance_holds"
                    + " WHERE id = ? FOR UPDATE")) {
                ps.setString(1, holdId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Settlement.UNKNOWN;
                    }
                    String state = rs.getString(1);
                    if (!state.equals("open")) {
                        return settlement(state);
                    }
                    if (!now.isBefore(instant(rs, 2))) {
                        return null; // overdue: the ledger expires it
                    }
                }
            }
            db.update(c, "UPDATE " + t + ".balance_holds SET state = 'committed', settled_at = now() WHERE id = ?", holdId);
            if (response == null) {
                keys.forget(c, holdId);
                return Settlement.COMMITTED;
            }
            // The record and the commit in one transaction: a retry is never charged twice.
            keys.complete(c, holdId, response, now.plus(retention));
            return Settlement.COMMITTED;
        });
    }

    @Override
    public Optional<Hold> beginReturn(String holdId, boolean expiry, Instant now) {
        return db.tx("release", c -> {
            try (PreparedStatement ps = db.prepare(c, "UPDATE " + t + ".balance_holds SET state = ? WHERE id = ?"
                    + " AND state = 'open'" + (expiry ? " AND expires_at <= ?" : "")
                    + " RETURNING id, account_id, amount, currency, expires_at")) {
                ps.setString(1, expiry ? "expiring" : "releasing");
                ps.setString(2, holdId);
                if (expiry) {
                    ps.setObject(3, at(now));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(hold(rs)) : Optional.<Hold>empty();
                }
            }
        });
    }

    @Override
    public void returned(String holdId) {
        db.tx("release", c -> {
            db.update(c, "UPDATE " + t + ".balance_holds SET state = CASE state WHEN 'releasing' THEN 'released'"
                    + " ELSE 'expired' END, settled_at = now() WHERE id = ? AND state IN ('releasing', 'expiring')", holdId);
            keys.forget(c, holdId);
            return null;
        });
    }

    @Override
    public void returnFailed(String holdId) {
        db.update("release", "UPDATE " + t + ".balance_holds SET state = 'open' WHERE id = ?"
                + " AND state IN ('releasing', 'expiring')", holdId);
    }

    @Override
    public Settlement state(String holdId) {
        return db.tx("state", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT state FROM " + t + ".balance_holds WHERE id = ?")) {
                ps.setString(1, holdId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? settlement(rs.getString(1)) : Settlement.UNKNOWN;
                }
            }
        });
    }

    @Override
    public List<Hold> overdue(Instant now, int max) {
        return db.tx("expireOverdueHolds", c -> {
            try (PreparedStatement ps = db.prepare(c, "DELETE FROM " + t + ".balance_keys WHERE ctid IN (SELECT ctid FROM "
                    + t + ".balance_keys WHERE expires_at <= ? LIMIT " + CLEANUP_BATCH + ")")) {
                ps.setObject(1, at(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = db.prepare(c, "DELETE FROM " + t + ".balance_holds WHERE ctid IN (SELECT ctid FROM "
                    + t + ".balance_holds WHERE settled_at < now() - ?::interval AND state IN ('committed', 'released',"
                    + " 'expired') LIMIT " + CLEANUP_BATCH + ")")) {
                ps.setString(1, settledRetention.toMillis() + " milliseconds");
                ps.executeUpdate();
            }
            List<Hold> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, "SELECT id, account_id, amount, currency, expires_at FROM " + t
                    + ".balance_holds WHERE state = 'open' AND expires_at <= ? ORDER BY expires_at LIMIT ?")) {
                ps.setObject(1, at(now));
                ps.setInt(2, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(hold(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Hold> overdueHoldOfKey(String account, String key, Instant now) {
        return db.tx("reserve", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT h.id, h.account_id, h.amount, h.currency, h.expires_at FROM "
                    + t + ".balance_keys k JOIN " + t + ".balance_holds h ON h.id = k.hold_id WHERE k.account_id = ?"
                    + " AND k.key = ? AND k.status IS NULL AND h.state = 'open' AND h.expires_at <= ?")) {
                ps.setString(1, account);
                ps.setString(2, key);
                ps.setObject(3, at(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(hold(rs)) : Optional.<Hold>empty();
                }
            }
        });
    }

    @Override
    public long openHoldCount() {
        return db.tx("openHoldCount", c -> {
            try (PreparedStatement ps = db.prepare(c, "SELECT count(*) FROM " + t + ".balance_holds"
                    + " WHERE state IN ('debiting', 'open', 'releasing', 'expiring')");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public String toString() {
        return "PostgresHoldStore[schema=" + t + "]";
    }

    /** Builds a {@link PostgresHoldStore}. Not thread-safe; the store it builds is. */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema = "tollgate";
        private boolean createSchema = true;
        private Duration queryTimeout = Duration.ofSeconds(5);
        private int maxKeysPerAccount = 10_000;
        private int maxBodyBytes = 64 * 1024;
        private Duration settledRetention = Duration.ofDays(1);

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * Sets the schema of the tables.
         *
         * @param name a lower-case SQL identifier; {@code tollgate} by default (the tables' names do
         *     not clash with {@link PostgresLedger}'s)
         * @return this builder
         */
        public Builder schema(String name) {
            if (name == null || !SCHEMA.matcher(name).matches()) {
                throw new IllegalArgumentException("schema must be a lower-case SQL identifier: " + name);
            }
            this.schema = name;
            return this;
        }

        /**
         * Sets whether {@link #build()} creates the schema and tables when missing.
         *
         * @param create true by default
         * @return this builder
         */
        public Builder createSchema(boolean create) {
            this.createSchema = create;
            return this;
        }

        /**
         * Sets the longest a statement may run before the call fails (503).
         *
         * @param timeout at least one second; 5 seconds by default
         * @return this builder
         */
        public Builder queryTimeout(Duration timeout) {
            if (timeout == null || timeout.toSeconds() < 1) {
                throw new IllegalArgumentException("queryTimeout must be at least 1 second: " + timeout);
            }
            this.queryTimeout = timeout;
            return this;
        }

        /**
         * Sets how many idempotency records one account may hold; beyond it a new key is refused
         * ({@code 429}) until records reach the end of their retention.
         *
         * @param records at least 100; 10,000 by default
         * @return this builder
         */
        public Builder maxKeysPerAccount(int records) {
            if (records < 100) {
                throw new IllegalArgumentException("maxKeysPerAccount must be at least 100: " + records);
            }
            this.maxKeysPerAccount = records;
            return this;
        }

        /**
         * Sets the largest response body kept for replay; a larger one is not kept (a retry then gets
         * {@code 409}, never a second charge).
         *
         * @param bytes 0 to 16 MiB; 64 KiB by default
         * @return this builder
         */
        public Builder maxBodyBytes(int bytes) {
            if (bytes < 0 || bytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be 0 to 16 MiB: " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * Sets how long settled holds are kept, so that a repeated commit or release reports their
         * state.
         *
         * @param retention positive; one day by default
         * @return this builder
         */
        public Builder settledRetention(Duration retention) {
            if (retention == null || retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("settledRetention must be positive: " + retention);
            }
            this.settledRetention = retention;
            return this;
        }

        /**
         * Builds the store, creating its tables unless told not to.
         *
         * @return the store
         * @throws LedgerUnavailableException if the tables are to be created and the database refuses
         */
        public PostgresHoldStore build() {
            PostgresHoldStore store = new PostgresHoldStore(this);
            if (createSchema) {
                store.createSchema();
            }
            return store;
        }
    }
}
