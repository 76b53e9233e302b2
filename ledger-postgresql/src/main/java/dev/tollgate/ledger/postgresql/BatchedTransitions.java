package dev.tollgate.ledger.postgresql;

import dev.tollgate.Money;
import dev.tollgate.spi.Charge;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Reserves and commits of concurrent requests applied together: the flush of a {@link GroupCommit},
 * one call of the schema's {@code apply_batch} function in auto-commit (one round trip, one durable
 * commit), which applies the commits, then the reserves in order, each with its own conditional
 * semantics.
 *
 * <p>A batch of one runs the member's own single statement instead ({@link GroupCommit.Member#alone}):
 * at low load, group commit costs nothing.
 *
 * <p>When the call fails, every member gets the same honest answer:
 * <ul>
 * <li>a deadlock or serialization failure (SQLState 40P01, 40001) certainly rolled everything back:
 *     the batch runs again, up to three times in all;</li>
 * <li>a data, integrity or statement error (SQLState classes 22, 23, 42) certainly rolled everything
 *     back and may be one member's fault: every member runs again on its own, unbatched
 *     ({@link GroupCommit.Member#runAlone}), so one bad member cannot fail the others. A schema
 *     without the function (version 1; SQLState 42883) turns batching off with a WARNING;</li>
 * <li>anything else (a broken connection, a timeout, a pool that lends no connection) may or may not
 *     have committed: every member gets the same {@link dev.tollgate.spi.LedgerUnavailableException},
 *     and a commit among them is then handled as a commit of unknown outcome.</li>
 * </ul>
 *
 * <p>Thread-safe: {@link GroupCommit} runs one flush at a time per ledger; the state is immutable
 * apart from the switch that turns batching off.
 */
final class BatchedTransitions implements GroupCommit.Flush {

    private static final System.Logger LOG = System.getLogger(PostgresLedger.class.getName());
    private static final short RESERVE = 1;
    private static final short COMMIT = 2;
    private static final short COMMIT_PART = 3;
    private static final int ATTEMPTS = 3;

    /** One request's reserve or commit, and what the batch made of it. */
    static final class Operation extends GroupCommit.Member {
        final short kind;
        final String account;
        final BigDecimal amount;
        final String currency;
        final String entitlement;
        final String resource;
        final Long hold;
        final BigDecimal reserved;

        /** Whether the member took effect (a reserve paid for, a hold moved to committed). */
        boolean applied;
        long holdId;
        Instant expires;
        BigDecimal balance;
        String balanceCurrency;

        private Operation(short kind, String account, BigDecimal amount, String currency, String entitlement,
                          String resource, Long hold, BigDecimal reserved) {
            this.kind = kind;
            this.account = account;
            this.amount = amount;
            this.currency = currency;
            this.entitlement = entitlement;
            this.resource = resource;
            this.hold = hold;
            this.reserved = reserved;
        }

        static Operation reserve(Charge charge) {
            Money price = charge.price();
            return new Operation(RESERVE, charge.account(), price.amount(), price.currency(), charge.entitlement(),
                    charge.resource(), null, null);
        }

        static Operation commit(long hold) {
            return new Operation(COMMIT, null, null, null, null, null, hold, null);
        }

        /** Charges {@code actual} of the {@code reserved} hold of {@code account} and returns the rest. */
        static Operation commitPart(long hold, String account, Money actual, Money reserved) {
            return new Operation(COMMIT_PART, account, actual.amount(), null, null, null, hold, reserved.amount());
        }
    }

    private final LedgerDatabase db;
    private final String ttl;
    private volatile boolean enabled = true;

    BatchedTransitions(LedgerDatabase db, Duration holdTimeout) {
        this.db = db;
        this.ttl = LedgerDatabase.interval(holdTimeout);
    }

    /** {@return false once the schema turned out to lack the batch function} */
    boolean enabled() {
        return enabled;
    }

    @Override
    public void apply(List<GroupCommit.Member> batch) {
        int n = batch.size();
        if (n == 1 && batch.get(0).alone != null) {
            batch.get(0).applyAlone(); // no company: the single statement, as without group commit
            return;
        }
        Short[] kinds = new Short[n];
        String[] accounts = new String[n];
        BigDecimal[] amounts = new BigDecimal[n];
        String[] currencies = new String[n];
        String[] entitlements = new String[n];
        String[] resources = new String[n];
        Long[] holds = new Long[n];
        BigDecimal[] reserved = new BigDecimal[n];
        for (int i = 0; i < n; i++) {
            Operation op = (Operation) batch.get(i);
            kinds[i] = op.kind;
            accounts[i] = op.account;
            amounts[i] = op.amount;
            currencies[i] = op.currency;
            entitlements[i] = op.entitlement;
            resources[i] = op.resource;
            holds[i] = op.hold;
            reserved[i] = op.reserved;
        }
        for (int attempt = 1; ; attempt++) {
            try (Connection c = db.dataSource.getConnection()) {
                boolean auto = c.getAutoCommit();
                if (!auto) {
                    c.setAutoCommit(true);
                }
                try (PreparedStatement ps = db.prepare(c, db.sql.applyBatch)) {
                    ps.setArray(1, c.createArrayOf("int2", kinds));
                    ps.setArray(2, c.createArrayOf("text", accounts));
                    ps.setArray(3, c.createArrayOf("numeric", amounts));
                    ps.setArray(4, c.createArrayOf("text", currencies));
                    ps.setArray(5, c.createArrayOf("text", entitlements));
                    ps.setArray(6, c.createArrayOf("text", resources));
                    ps.setArray(7, c.createArrayOf("int8", holds));
                    ps.setArray(8, c.createArrayOf("numeric", reserved));
                    ps.setString(9, ttl);
                    int answered = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Operation op = (Operation) batch.get(rs.getInt(1) - 1);
                            op.applied = rs.getBoolean(2);
                            if (op.applied && op.kind == RESERVE) {
                                op.holdId = rs.getLong(3);
                                op.expires = rs.getObject(4, OffsetDateTime.class).toInstant();
                                op.balance = rs.getBigDecimal(5);
                                op.balanceCurrency = rs.getString(6);
                            }
                            answered++;
                        }
                    }
                    if (answered != n) {
                        // Committed, but the answers are incomplete: nobody may assume anything.
                        throw new SQLException("apply_batch answered " + answered + " of " + n + " members");
                    }
                } finally {
                    if (!auto) {
                        c.setAutoCommit(false);
                    }
                }
                return;
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if ((state.equals("40P01") || state.equals("40001")) && attempt < ATTEMPTS) {
                    continue; // rolled back: nothing of it happened
                }
                if (state.equals("42883")) {
                    enabled = false;
                    LOG.log(System.Logger.Level.WARNING, "Tollgate ledger schema {0} lacks apply_batch (schema"
                            + " version 1): group commit is off until this node restarts; call"
                            + " PostgresLedger.createSchema() or set {1}=true to migrate", db.schema,
                            PostgresLedger.CREATE_SCHEMA);
                }
                if (!state.equals("42P01") && (state.startsWith("22") || state.startsWith("23")
                        || state.startsWith("42"))) {
                    for (GroupCommit.Member m : batch) {
                        m.runAlone = true;
                    }
                    return;
                }
                RuntimeException failure = db.unavailable("group commit", e);
                for (GroupCommit.Member m : batch) {
                    m.failure = failure;
                }
                return;
            }
        }
    }
}
