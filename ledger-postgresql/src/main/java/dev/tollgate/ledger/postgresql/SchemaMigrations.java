package dev.tollgate.ledger.postgresql;

import dev.tollgate.spi.LedgerUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Creates the ledger's schema and applies the versioned scripts it lacks
 * ({@code dev/tollgate/ledger/postgresql/V1__ledger.sql}, …), recording each in
 * {@code schema_version}. A transaction-scoped advisory lock on the schema name serialises nodes
 * that start together, so every node may run this on every start.
 *
 * <p>Thread-safe (the database serialises concurrent runs).
 */
final class SchemaMigrations {

    private static final System.Logger LOG = System.getLogger(PostgresLedger.class.getName());
    /**
     * The scripts in order; {@code Vn__…} records version {@code n}. Each script not yet recorded is
     * applied, in this order, so a version added later with a lower number (branches developed side
     * by side) is still applied to a schema that has the higher one; such scripts must not depend
     * on each other.
     */
    private static final List<String> MIGRATIONS = List.of("V1__ledger.sql", "V2__group_commit.sql",
            "V3__keys.sql", "V4__payment_claims.sql", "V5__allowances.sql", "V6__admin_notes.sql",
            "V7__allowance_current_period.sql");

    private final LedgerDatabase db;

    SchemaMigrations(LedgerDatabase db) {
        this.db = db;
    }

    /**
     * Creates the schema and its tables, or applies the migrations it lacks.
     *
     * @throws LedgerUnavailableException if the database cannot be reached or refuses the DDL
     */
    void apply() {
        String schema = db.schema;
        try (Connection c = db.dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(Math.max(db.queryTimeoutSeconds, 60));
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "tollgate-schema:" + schema);
                    lock.execute();
                }
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".schema_version (version int PRIMARY KEY,"
                        + " script text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                Set<Integer> applied = new HashSet<>();
                try (ResultSet rs = st.executeQuery("SELECT version FROM " + schema + ".schema_version")) {
                    while (rs.next()) {
                        applied.add(rs.getInt(1));
                    }
                }
                for (String script : MIGRATIONS) {
                    int v = version(script);
                    if (applied.contains(v)) {
                        continue;
                    }
                    st.execute(resource(script).replace("${schema}", schema));
                    if (script.equals("V3__keys.sql")) {
                        warnOfRewrittenKeys(st, schema);
                    }
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
            throw db.unavailable("createSchema", e);
        }
    }

    /**
     * Checks, without changing anything, that a schema some version of this library created has every
     * migration this library needs: a node on a schema that lacks one would start, then fail the calls
     * that need it. A schema without {@code schema_version} (not created yet) passes: its first call fails
     * with a {@link LedgerSchemaException} saying how to create it, and {@link PostgresLedger#createSchema()}
     * may still be called after the build. When the database cannot be reached the check is skipped with a
     * WARNING (the ledger answers 503 until it is back; an outage at start-up does not stop the node).
     *
     * @throws LedgerSchemaException naming the missing scripts
     */
    void requireCurrent() {
        String schema = db.schema;
        Set<Integer> applied = new HashSet<>();
        try (Connection c = db.dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(db.queryTimeoutSeconds);
            try (ResultSet rs = st.executeQuery("SELECT version FROM " + schema + ".schema_version")) {
                while (rs.next()) {
                    applied.add(rs.getInt(1));
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (!"42P01".equals(state) && !"3F000".equals(state)) {
                LOG.log(System.Logger.Level.WARNING, "Tollgate ledger schema {0}: could not check its version at"
                        + " start-up (SQLState {1}: {2}); a schema that lacks a migration will fail the calls that"
                        + " need it", schema, state, e.getMessage());
            }
            return; // not created yet, or not reachable
        }
        List<String> missing = MIGRATIONS.stream().filter(s -> !applied.contains(version(s))).toList();
        if (!missing.isEmpty()) {
            throw new LedgerSchemaException("Tollgate ledger schema " + schema + " lacks the migration"
                    + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + ": call"
                    + " PostgresLedger.createSchema() before building this node, build with createSchema(true) or set "
                    + PostgresLedger.CREATE_SCHEMA + "=true (see docs/postgresql.md)", null);
        }
    }

    /**
     * After {@code V3__keys.sql}: when it renamed any account (whose old id was a caller's key), one
     * WARNING telling the operator that the old keys' text survives outside the live rows.
     */
    private static void warnOfRewrittenKeys(Statement st, String schema) throws SQLException {
        long renamed;
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM tollgate_renamed_accounts")) {
            rs.next();
            renamed = rs.getLong(1);
        }
        if (renamed > 0) {
            LOG.log(System.Logger.Level.WARNING, "Tollgate ledger schema {0}: the keys upgrade renamed {1} accounts"
                    + " whose ids were API keys; their old key text is gone from the live rows but remains in dead"
                    + " tuples, index pages, WAL and backups. Run VACUUM FULL on {0}.accounts, {0}.entitlements,"
                    + " {0}.holds, {0}.entries and {0}.idempotency_keys (it rebuilds their indexes; or REINDEX"
                    + " them after a plain VACUUM), expire backups and WAL archives taken before the upgrade, and"
                    + " rotate the imported legacy keys (see docs/postgresql.md, Keys)", schema, renamed);
        }
    }

    /** {@return n of {@code Vn__name.sql}} */
    static int version(String script) {
        return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    /** A script next to this class: {@code dev/tollgate/ledger/postgresql/<name>}. */
    private static String resource(String name) {
        try (InputStream in = SchemaMigrations.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/tollgate/ledger/postgresql/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dev/tollgate/ledger/postgresql/" + name, e);
        }
    }
}
