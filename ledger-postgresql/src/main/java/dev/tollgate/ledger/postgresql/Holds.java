package dev.tollgate.ledger.postgresql;

import dev.tollgate.Money;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The life of a hold: the atomic hold and debit, why a charge was refused, commit, release, the
 * lazy half of expiry, and the undo of a commit whose outcome was unknown to its caller.
 *
 * <p>Thread-safe: the database serialises transitions of one hold ({@code state = 'open'} guards);
 * the set of uncertain commits is concurrent.
 */
final class Holds {

    private static final System.Logger LOG = System.getLogger(PostgresLedger.class.getName());
    /** SQLSTATE of a refusal raised by the {@code reserve} function. */
    private static final String REFUSED = "TG001";
    /**
     * Batches of different accounts in flight at once, per node, unless a test sets fewer
     * ({@code PostgresLedger.Builder.groupCommitLanes}): an account's requests always go to the same
     * lane, so a hot account batches as a whole, requests for different accounts seldom share one
     * (and then mostly go alone), and lanes never wait for one another's rows. Lanes are made when
     * first used.
     */
    static final int DEFAULT_LANES = 1024;

    private final LedgerDatabase db;
    private final LedgerStatements sql;
    private final Duration holdTimeout;
    private final Duration replayRetention;
    /** Holds whose commit failed with an unknown outcome; a release may undo such a commit. */
    private final Set<Long> uncertainCommits = ConcurrentHashMap.newKeySet();
    /** Group commit of reserves and commits without a replayable response; null when off. */
    private final BatchedTransitions batched;
    /**
     * Independent batchers, an account always in the same one, made when first needed: the batches
     * of different lanes touch different accounts and run in parallel; a hot account's requests all
     * batch together, while requests for different accounts rarely share a lane and then go alone.
     */
    private final AtomicReferenceArray<GroupCommit> lanes;

    /**
     * @param lanes how many batches of different accounts may be in flight at once; 0 turns group
     *     commit off
     */
    Holds(LedgerDatabase db, Duration holdTimeout, Duration replayRetention, int lanes) {
        this.db = db;
        this.sql = db.sql;
        this.holdTimeout = holdTimeout;
        this.replayRetention = replayRetention;
        this.batched = lanes > 0 ? new BatchedTransitions(db, holdTimeout) : null;
        this.lanes = new AtomicReferenceArray<>(lanes);
    }

    /** {@return whether reserves and commits go through the batchers} False once the schema lacked the function. */
    boolean batching() {
        return batched != null && batched.enabled();
    }

    /** {@return the batcher of an account's reserves and commits, or null when group commit is off} */
    GroupCommit batches(String account) {
        if (lanes.length() == 0) {
            return null;
        }
        int i = Math.floorMod(account.hashCode(), lanes.length());
        GroupCommit lane = lanes.get(i);
        if (lane == null) {
            lanes.compareAndSet(i, null, new GroupCommit(batched));
            lane = lanes.get(i);
        }
        return lane;
    }

    /**
     * A reservation without a client-supplied idempotency key: with group commit, a member of the
     * next batch; else one statement, auto-commit.
     */
    Reservation reserve(Charge charge) {
        if (batching()) {
            BatchedTransitions.Operation op = BatchedTransitions.Operation.reserve(charge);
            op.alone = () -> reserveAlone(charge);
            batches(charge.account()).submit(op);
            if (op.ranAlone) {
                if (op.aloneFailure != null) {
                    throw op.aloneFailure;
                }
                return (Reservation) op.aloneResult;
            }
            if (op.failure != null) {
                throw op.failure;
            }
            if (!op.runAlone) {
                if (!op.applied) {
                    return db.autoCommit("reserve", c -> explain(c, charge));
                }
                Money price = charge.price();
                Money amount = price.isZero() ? Money.zero(op.balanceCurrency) : price;
                return new Reservation.Authorized(new Hold(Long.toString(op.holdId), charge.account(), amount,
                        op.expires), new Money(op.balance, op.balanceCurrency));
            }
        }
        return reserveAlone(charge);
    }

    private Reservation reserveAlone(Charge charge) {
        return db.autoCommit("reserve", c -> {
            Reservation.Authorized a = hold(c, charge);
            return a != null ? a : explain(c, charge);
        });
    }

    /**
     * The atomic hold + entry + debit (the {@code reserve} function of the schema); null when the
     * account cannot pay or does not exist. A refusal rolls back the current transaction.
     */
    Reservation.Authorized hold(Connection c, Charge charge) throws SQLException {
        Money price = charge.price();
        try (PreparedStatement ps = db.prepare(c, sql.hold)) {
            ps.setString(1, charge.account());
            ps.setBigDecimal(2, price.amount());
            ps.setString(3, price.currency());
            ps.setString(4, charge.entitlement());
            ps.setString(5, charge.resource());
            ps.setString(6, LedgerDatabase.interval(holdTimeout));
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
    Reservation.Denied explain(Connection c, Charge charge) throws SQLException {
        Money price = charge.price();
        try (PreparedStatement ps = db.prepare(c, sql.explain)) {
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
                return new Reservation.Denied(DenialReason.INSUFFICIENT_FUNDS, price, balance, null, options(price), null,
                        allowanceState(rs, 4, balance.currency()));
            }
        }
    }

    /**
     * An account's allowance state from {@link LedgerStatements#ALLOWANCE_COLUMNS} starting at column
     * {@code first}, as of the database clock; null when it has none.
     */
    static Allowance.State allowanceState(ResultSet rs, int first, String currency) throws SQLException {
        String plan = rs.getString(first);
        if (plan == null) {
            return null;
        }
        Allowance.Unit unit = "calls".equals(rs.getString(first + 1)) ? Allowance.Unit.CALLS : Allowance.Unit.CREDITS;
        Allowance a = new Allowance(plan, unit, rs.getBigDecimal(first + 2),
                unit == Allowance.Unit.CALLS ? null : currency, rs.getInt(first + 3));
        OffsetDateTime from = rs.getObject(first + 4, OffsetDateTime.class);
        Instant now = rs.getObject(first + 6, OffsetDateTime.class).toInstant();
        return Allowance.State.of(a, rs.getBigDecimal(first + 5), from == null ? null : from.toInstant(), now);
    }

    static List<PaymentOption> options(Money price) {
        return PaymentOption.accountOptions(price);
    }

    Settlement commit(Hold hold, RecordedResponse response) {
        return commit(hold, null, response);
    }

    /**
     * Commits a hold; with {@code actual}, charges only that and returns the rest in the same
     * statement.
     */
    Settlement commit(Hold hold, Money actual, RecordedResponse response) {
        Money rest = actual == null ? null : hold.remainderAfter(actual);
        long id = holdId(hold);
        if (id < 0) {
            return Settlement.UNKNOWN;
        }
        if (response == null && batching()) {
            BatchedTransitions.Operation op = rest == null ? BatchedTransitions.Operation.commit(id)
                    : BatchedTransitions.Operation.commitPart(id, hold.account(), actual, hold.amount());
            op.alone = () -> commitAlone(id, actual, rest, null, hold);
            batches(hold.account()).submit(op);
            if (op.ranAlone) {
                if (op.aloneFailure != null) {
                    throw op.aloneFailure; // commitAlone has marked an unknown outcome
                }
                return (Settlement) op.aloneResult;
            }
            try {
                if (op.failure != null) {
                    throw op.failure;
                }
                if (!op.runAlone) {
                    if (op.applied) {
                        uncertainCommits.remove(id);
                        return Settlement.COMMITTED;
                    }
                    return db.autoCommit("commit", c -> stateAfterRefusedTransition(c, id));
                }
            } catch (RuntimeException e) {
                // The batch may or may not have committed: let a later release undo it.
                uncertainCommits.add(id);
                throw e;
            }
        }
        return commitAlone(id, actual, rest, response, hold);
    }

    /** A commit in a statement of its own. */
    private Settlement commitAlone(long id, Money actual, Money rest, RecordedResponse response, Hold hold) {
        String statement = rest == null ? (response == null ? sql.commit : sql.commitReplayable)
                : (response == null ? sql.commitPart : sql.commitPartReplayable);
        try {
            return db.autoCommit("commit", c -> {
                int n;
                try (PreparedStatement ps = db.prepare(c, statement)) {
                    int p = 1;
                    if (rest == null) {
                        ps.setLong(p++, id);
                    } else {
                        ps.setLong(p++, id);
                        ps.setBigDecimal(p++, hold.amount().amount());
                        ps.setBigDecimal(p++, rest.amount());
                    }
                    if (response != null) {
                        // The replayable response is stored in the same statement as the charge.
                        List<String> flat = new ArrayList<>();
                        for (Entry<String, String> h : response.headers()) {
                            flat.add(h.getKey());
                            flat.add(h.getValue());
                        }
                        ps.setInt(p++, response.status());
                        ps.setArray(p++, c.createArrayOf("text", flat.toArray()));
                        ps.setBytes(p++, response.body());
                        ps.setBoolean(p++, response.bodyRetained());
                        ps.setString(p, LedgerDatabase.interval(replayRetention));
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

    Settlement release(Hold hold) {
        long id = holdId(hold);
        if (id < 0) {
            return Settlement.UNKNOWN;
        }
        Settlement s = db.autoCommit("release", c -> db.settle(c, sql.release, id) == 1 ? Settlement.RELEASED
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
        return db.inTransaction("release", c -> {
            String state;
            try (PreparedStatement ps = db.prepare(c, sql.lockHold)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    state = rs.next() ? rs.getString(1) : null;
                }
            }
            if (!"committed".equals(state)) {
                return stateAfterRefusedTransition(c, id);
            }
            try (PreparedStatement ps = db.prepare(c, sql.replayedForHold)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return Settlement.COMMITTED; // the client has the result: the charge stands
                    }
                }
            }
            db.settle(c, sql.reverse, id);
            LOG.log(System.Logger.Level.WARNING, "Hold {0}: a commit that failed with an unknown outcome had taken"
                    + " effect; it was reversed, as the client was refused", Long.toString(id));
            return Settlement.RELEASED;
        });
    }

    private Settlement stateAfterRefusedTransition(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql.holdState)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Settlement.UNKNOWN;
                }
                String state = rs.getString(1);
                if (state.equals("open") && rs.getBoolean(2)) {
                    // Overdue: the lazy half of expiry.
                    return db.settle(c, sql.expireOne, id) == 1 ? Settlement.EXPIRED
                            : stateAfterRefusedTransition(c, id);
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

    private static long holdId(Hold hold) {
        try {
            return Long.parseLong(hold.id());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
