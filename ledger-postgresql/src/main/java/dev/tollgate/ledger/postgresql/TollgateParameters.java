package dev.tollgate.ledger.postgresql;

import static dev.tollgate.ledger.postgresql.PostgresLedger.CREATE_SCHEMA;
import static dev.tollgate.ledger.postgresql.PostgresLedger.DATA_SOURCE;
import static dev.tollgate.ledger.postgresql.PostgresLedger.GROUP_COMMIT;
import static dev.tollgate.ledger.postgresql.PostgresLedger.HOLD_TIMEOUT;
import static dev.tollgate.ledger.postgresql.PostgresLedger.QUERY_TIMEOUT;
import static dev.tollgate.ledger.postgresql.PostgresLedger.REPLAY_RETENTION;
import static dev.tollgate.ledger.postgresql.PostgresLedger.SCHEMA_NAME;
import static dev.tollgate.ledger.postgresql.PostgresLedger.SWEEP_INTERVAL;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Reads the {@code tollgate.jdbc.*} and {@code tollgate.postgresql.*} parameters of
 * {@link PostgresLedger#PostgresLedger(Map)} into a {@link PostgresLedger.Builder}: the data source
 * from JNDI, every other value through the builder's own setters, so both ways of configuring the
 * ledger check the same rules.
 *
 * <p>Stateless.
 */
final class TollgateParameters {

    /** Every parameter the ledger reads, declared to Tollgate by {@link PostgresLedgerParameters}. */
    static final Set<String> NAMES = Set.of(DATA_SOURCE, SCHEMA_NAME, CREATE_SCHEMA, HOLD_TIMEOUT,
            QUERY_TIMEOUT, SWEEP_INTERVAL, REPLAY_RETENTION, GROUP_COMMIT);

    private TollgateParameters() {
    }

    /**
     * {@return a builder set from the parameters}
     *
     * @throws IllegalArgumentException naming the parameter, if one is missing or invalid
     */
    static PostgresLedger.Builder builder(Map<String, String> p) {
        boolean groupCommit = true;
        if (p.containsKey(GROUP_COMMIT)) {
            String v = p.get(GROUP_COMMIT).strip();
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(GROUP_COMMIT + " = \"" + p.get(GROUP_COMMIT)
                        + "\": expected true or false");
            }
            groupCommit = Boolean.parseBoolean(v);
        }
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
        PostgresLedger.Builder b = PostgresLedger.builder(ds);
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
        b.groupCommit(groupCommit);
        return b;
    }

    private static long seconds(Map<String, String> p, String name) {
        try {
            return Long.parseLong(p.get(name).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " = \"" + p.get(name) + "\": expected whole seconds");
        }
    }
}
