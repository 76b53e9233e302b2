package dev.tollgate.ledger.postgresql;

/**
 * Every statement the ledger runs on its tables, built once for a schema. The schema name is
 * checked against a strict pattern before it gets here (see {@link PostgresLedger.Builder#schema});
 * every other value is a bind parameter.
 *
 * <p>Immutable and thread-safe.
 */
final class LedgerStatements {

    // ---------------------------------------------------------------- holds

    /** The atomic hold + entry + debit: the schema's {@code reserve} function. */
    final String hold;
    /**
     * Reserves and commits of several requests in one call, in order: the schema's
     * {@code apply_batch} function (version 2). Parameters: the arrays kind, account, amount, currency,
     * entitlement, resource, hold, reserved, then the hold timeout.
     */
    final String applyBatch;
    /** Why a charge could not be held: currency, balance and entitlement of the account. */
    final String explain;
    /** The columns of an account's allowance (plan, unit, limit, anchor day, period start, used) and now(). */
    static final String ALLOWANCE_COLUMNS = "a.allowance_plan, a.allowance_unit, a.allowance_limit,"
            + " a.allowance_anchor_day, a.allowance_period_start, a.allowance_used, now()";
    /** An account's allowance: {@link #ALLOWANCE_COLUMNS}. */
    final String allowance;
    /**
     * Sets an account's allowance. Parameters: plan, limit, anchor day, unit, unit, unit, id, currency of
     * credits (or null), the same again.
     */
    final String setAllowance;
    /** Removes an account's allowance; a row when it had one. */
    final String removeAllowance;
    /** Commits an open hold that is not overdue and writes its entry. */
    final String commit;
    /** {@link #commit}, and completes the hold's idempotency record with the replayable response. */
    final String commitReplayable;
    /**
     * Commits part of an open hold that is not overdue: the hold keeps the charged amount, the rest
     * returns to the account, and the entries show a {@code commit} of the charge and a
     * {@code release} of the rest. Parameters: id, reserved, rest.
     */
    final String commitPart;
    /** {@link #commitPart}, and completes the hold's idempotency record (parameters after those). */
    final String commitPartReplayable;
    /** Releases an open hold: its money returns. */
    final String release;
    /** Undoes a commit: a {@code reversal} entry and the money back. */
    final String reverse;
    /** Expires one overdue open hold. */
    final String expireOne;
    /** The state of a hold and whether it is overdue. */
    final String holdState;
    /** Locks a committed hold, for the undo of a commit of unknown outcome. */
    final String lockHold;
    /** Whether the client already received a hold's recorded response. */
    final String replayedForHold;

    // ---------------------------------------------------------------- idempotency records

    /** Claims an idempotency key for a new request; no row when it is taken. */
    final String claimKey;
    /** Reads and locks an idempotency record with the state of its hold. */
    final String readKey;
    /** Binds a claimed key to its hold. */
    final String bindKey;
    /** Drops an idempotency record. */
    final String deleteKey;
    /** Locks a hold unless someone else has it. */
    final String lockHoldNowait;
    /** Marks a record as replayed: from then on its charge stands. */
    final String markReplayed;

    // ---------------------------------------------------------------- sweeper

    /** Expires up to 500 overdue holds, skipping those another node is working on. */
    final String expireBatch;
    /** Drops up to 1000 replay records past their retention. */
    final String purgeKeys;
    /** A page of overdue open holds, in id order, after a given id. */
    final String overdueHolds;
    /** The number of open holds. */
    final String openHoldCount;

    // ---------------------------------------------------------------- administration

    /** An account with its entitlements. */
    final String account;
    /** Opens an account unless the id is taken. */
    final String openAccount;
    /** Adds to a balance while the total, with the money under open holds, stays within the maximum. */
    final String credit;
    /** Takes from a balance that holds enough. */
    final String debit;
    /** An entry that no hold caused (open, credit, debit). */
    final String entry;
    /** Grants an entitlement. */
    final String grant;
    /** Revokes an entitlement. */
    final String revoke;
    /** A page of an account's entries in a time window. */
    final String statement;

    LedgerStatements(String s) {
        String entitled = "(CAST(? AS text) IS NULL OR EXISTS (SELECT 1 FROM " + s + ".entitlements e"
                + " WHERE e.account_id = a.id AND e.name = CAST(? AS text)))";
        this.hold = "SELECT hold_id, expires_at, balance, currency FROM " + s
                + ".reserve(?, ?, ?, ?, ?, CAST(? AS interval))";
        this.applyBatch = "SELECT o_ord, o_ok, o_hold, o_expires, o_balance, o_currency FROM " + s
                + ".apply_batch(?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS interval))";
        this.explain = "SELECT a.currency, a.balance, " + entitled + ", " + ALLOWANCE_COLUMNS + " FROM " + s
                + ".accounts a WHERE a.id = ?";
        this.allowance = "SELECT " + ALLOWANCE_COLUMNS + " FROM " + s + ".accounts a WHERE a.id = ?";
        // Keeps the usage counted in the current period when the unit stays (a plan change mid-period grants
        // nothing fresh), also when the anchor day changes: the usage then counts in the new anchor's current
        // period. (SET expressions read the row as it was: the old anchor.)
        String counting = "allowance_unit = CAST(? AS text) AND allowance_period_start = " + s
                + ".allowance_period_start(allowance_anchor_day, now())";
        this.setAllowance = "UPDATE " + s + ".accounts SET allowance_plan = ?, allowance_limit = ?, allowance_anchor_day = ?,"
                + " allowance_used = CASE WHEN " + counting + " THEN allowance_used ELSE 0 END,"
                + " allowance_period_start = CASE WHEN " + counting + " THEN " + s
                + ".allowance_period_start(CAST(? AS int), now()) END,"
                + " allowance_unit = CAST(? AS text) WHERE id = ? AND (CAST(? AS text) IS NULL OR currency = CAST(? AS text))"
                + " RETURNING id";
        this.removeAllowance = "UPDATE " + s + ".accounts SET allowance_plan = NULL, allowance_unit = NULL,"
                + " allowance_limit = NULL, allowance_anchor_day = NULL, allowance_used = 0, allowance_period_start = NULL"
                + " WHERE id = ? AND allowance_unit IS NOT NULL RETURNING id";
        this.claimKey = "INSERT INTO " + s + ".idempotency_keys (account_id, key, fingerprint, state, expires_at)"
                + " VALUES (?, ?, ?, 'in_progress', now() + CAST(? AS interval)) ON CONFLICT (account_id, key) DO NOTHING";
        this.readKey = "SELECT k.fingerprint, k.state, k.hold_id, k.status, k.headers, k.body, k.body_retained,"
                + " k.expires_at <= now(), h.state, h.expires_at <= now()"
                + " FROM " + s + ".idempotency_keys k LEFT JOIN " + s + ".holds h ON h.id = k.hold_id"
                + " WHERE k.account_id = ? AND k.key = ? FOR UPDATE OF k";
        this.bindKey = "UPDATE " + s + ".idempotency_keys SET hold_id = ? WHERE account_id = ? AND key = ?";
        this.deleteKey = "DELETE FROM " + s + ".idempotency_keys WHERE account_id = ? AND key = ?";
        String commitCte = "WITH c AS (UPDATE " + s + ".holds SET state = 'committed', settled_at = now()"
                + " WHERE id = ? AND state = 'open' AND expires_at > now() RETURNING id, account_id, amount, resource),"
                + " e AS (INSERT INTO " + s + ".entries (account_id, kind, available_delta, held_delta, hold_id, reference)"
                + " SELECT account_id, 'commit', 0, -amount, id, resource FROM c)";
        String complete = " k AS (UPDATE " + s + ".idempotency_keys SET state = 'completed', status = ?, headers = ?,"
                + " body = ?, body_retained = ?, expires_at = now() + CAST(? AS interval)"
                + " WHERE state = 'in_progress' AND hold_id IN (SELECT id FROM c))";
        this.commit = commitCte + " SELECT count(*) FROM c";
        this.commitReplayable = commitCte + "," + complete + " SELECT count(*) FROM c";
        // The hold row then says what was charged, so undoing an uncertain commit (reverse) returns
        // exactly that; the guard on the reserved amount refuses a hold the ledger did not issue.
        // With an allowance (version 5) the rest goes back to the balance part first, then to the
        // allowance part (a call stays used); the hold row keeps what each part charged.
        String commitPartCte = "WITH c AS (UPDATE " + s + ".holds x SET state = 'committed', settled_at = now(),"
                + " amount = o.amount - least(p.rest, o.amount),"
                + " allowance_amount = o.allowance_amount - (p.rest - least(p.rest, o.amount)),"
                + " allowance_units = CASE WHEN o.allowance_unit = 'credits'"
                + " THEN o.allowance_units - (p.rest - least(p.rest, o.amount)) ELSE o.allowance_units END"
                + " FROM (SELECT CAST(? AS bigint) AS id, CAST(? AS numeric) AS reserved, CAST(? AS numeric) AS rest) p"
                + " JOIN " + s + ".holds o ON o.id = p.id"
                + " WHERE x.id = p.id AND x.state = 'open' AND x.expires_at > now()"
                + " AND o.amount + o.allowance_amount = p.reserved"
                + " RETURNING x.id, x.account_id, x.resource, x.amount AS charged,"
                + " least(p.rest, o.amount) AS back_balance,"
                + " CASE WHEN o.allowance_unit = 'credits' THEN p.rest - least(p.rest, o.amount) ELSE 0 END AS back_units,"
                + " o.allowance_unit AS unit, o.allowance_period AS period),"
                + " a AS (UPDATE " + s + ".accounts SET balance = balance + c.back_balance," + giveBack(s, "c.back_units", "c")
                + " FROM c WHERE accounts.id = c.account_id RETURNING accounts.id, " + givenBack(s, "c.back_units", "c")
                + " AS back),"
                + " e AS (INSERT INTO " + s + ".entries (account_id, kind, available_delta, held_delta, hold_id, reference,"
                + " allowance_delta)"
                + " SELECT c.account_id, 'commit', 0, -c.charged, c.id, c.resource, 0 FROM c"
                + " UNION ALL SELECT c.account_id, 'release', c.back_balance, -c.back_balance, c.id, c.resource, a.back"
                + " FROM c JOIN a ON a.id = c.account_id WHERE c.back_balance > 0 OR a.back > 0)";
        this.commitPart = commitPartCte + " SELECT count(*) FROM c";
        this.commitPartReplayable = commitPartCte + "," + complete + " SELECT count(*) FROM c";
        this.release = settle(s, "state = 'open'", "'released'", "'release'", "r.amount", "-r.amount");
        this.reverse = settle(s, "state = 'committed'", "'released'", "'reversal'", "r.amount", "0");
        this.expireOne = settle(s, "state = 'open' AND expires_at <= now()", "'expired'", "'expiry'", "r.amount",
                "-r.amount");
        this.expireBatch = "WITH x AS (UPDATE " + s + ".holds SET state = 'expired', settled_at = now()"
                + " WHERE id IN (SELECT id FROM " + s + ".holds WHERE state = 'open' AND expires_at <= now()"
                + " ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED)"
                + " RETURNING id, account_id, amount, resource, allowance_units, allowance_unit, allowance_period),"
                + " t AS (SELECT account_id, sum(amount) AS total FROM x GROUP BY account_id),"
                + " a AS (UPDATE " + s + ".accounts SET balance = balance + t.total,"
                + " allowance_used = greatest(allowance_used - coalesce((SELECT sum(x.allowance_units) FROM x"
                + " WHERE x.account_id = accounts.id AND x.allowance_unit = accounts.allowance_unit"
                + " AND x.allowance_period = accounts.allowance_period_start"
                + " AND x.allowance_period = " + s + ".allowance_period_start(accounts.allowance_anchor_day, now())), 0), 0)"
                + " FROM t WHERE accounts.id = t.account_id"
                + " RETURNING accounts.id, accounts.allowance_unit AS unit, CASE WHEN accounts.allowance_period_start = "
                + s + ".allowance_period_start(accounts.allowance_anchor_day, now())"
                + " THEN accounts.allowance_period_start END AS period),"
                + " e AS (INSERT INTO " + s + ".entries (account_id, kind, available_delta, held_delta, hold_id, reference,"
                + " allowance_delta)"
                + " SELECT x.account_id, 'expiry', x.amount, -x.amount, x.id, x.resource,"
                + " CASE WHEN x.allowance_unit = a.unit AND x.allowance_period = a.period THEN x.allowance_units ELSE 0 END"
                + " FROM x JOIN a ON a.id = x.account_id),"
                + " k AS (DELETE FROM " + s + ".idempotency_keys WHERE state = 'in_progress'"
                + " AND hold_id IN (SELECT id FROM x))"
                + " SELECT count(*) FROM x";
        this.purgeKeys = "DELETE FROM " + s + ".idempotency_keys WHERE ctid IN (SELECT ctid FROM " + s
                + ".idempotency_keys WHERE expires_at <= now() AND state = 'completed' LIMIT 1000)";
        this.holdState = "SELECT state, expires_at <= now() FROM " + s + ".holds WHERE id = ?";
        this.account = "SELECT a.id, a.currency, a.balance, ARRAY(SELECT e.name FROM " + s + ".entitlements e"
                + " WHERE e.account_id = a.id ORDER BY e.name) FROM " + s + ".accounts a WHERE a.id = ?";
        this.lockHold = "SELECT state FROM " + s + ".holds WHERE id = ? FOR UPDATE";
        this.replayedForHold = "SELECT bool_or(replayed) FROM (SELECT replayed FROM " + s
                + ".idempotency_keys WHERE hold_id = ? FOR UPDATE) k";
        this.lockHoldNowait = "SELECT state FROM " + s + ".holds WHERE id = ? FOR UPDATE NOWAIT";
        this.markReplayed = "UPDATE " + s + ".idempotency_keys SET replayed = true"
                + " WHERE account_id = ? AND key = ? AND NOT replayed";
        this.overdueHolds = "SELECT id FROM " + s + ".holds WHERE state = 'open'"
                + " AND expires_at <= now() AND id > ? ORDER BY id LIMIT 500";
        this.openHoldCount = "SELECT count(*) FROM " + s + ".holds WHERE state = 'open'";
        this.openAccount = "INSERT INTO " + s + ".accounts (id, currency, balance)"
                + " VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING";
        // A credit counts the money under open holds, which releases and expiries will return,
        // so that none of them can take the balance past the column. (Open holds are few; the
        // sum reads them through the partial index on open holds.)
        this.credit = adjust(s, true);
        this.debit = adjust(s, false);
        this.entry = "INSERT INTO " + s + ".entries (account_id, kind, available_delta,"
                + " held_delta, reference) VALUES (?, ?, ?, ?, ?)";
        this.grant = "INSERT INTO " + s + ".entitlements (account_id, name)"
                + " VALUES (?, ?) ON CONFLICT DO NOTHING";
        this.revoke = "DELETE FROM " + s + ".entitlements WHERE account_id = ?"
                + " AND name = ?";
        this.statement = "SELECT id, kind, available_delta, held_delta, hold_id, reference,"
                + " created_at, allowance_delta FROM " + s + ".entries WHERE account_id = ? AND created_at >= ?"
                + " AND created_at < ? ORDER BY id LIMIT ?";
    }

    /**
     * A hold transition that returns money to the account: one statement that moves the hold out
     * of a state, credits the account, writes the entry and drops an idempotency key in progress.
     */
    private static String settle(String s, String condition, String newState, String kind, String available,
                                 String held) {
        return "WITH r AS (UPDATE " + s + ".holds SET state = " + newState + ", settled_at = now()"
                + " WHERE id = ? AND " + condition
                + " RETURNING id, account_id, amount, resource, allowance_units, allowance_unit, allowance_period),"
                + " a AS (UPDATE " + s + ".accounts SET balance = balance + r.amount," + giveBack(s, "r.allowance_units", "r")
                + " FROM r WHERE accounts.id = r.account_id RETURNING accounts.id, "
                + givenBack(s, "r.allowance_units", "r") + " AS back),"
                + " e AS (INSERT INTO " + s + ".entries (account_id, kind, available_delta, held_delta, hold_id, reference,"
                + " allowance_delta)"
                + " SELECT r.account_id, " + kind + ", " + available + ", " + held + ", r.id, r.resource, a.back"
                + " FROM r JOIN a ON a.id = r.account_id),"
                + " k AS (DELETE FROM " + s + ".idempotency_keys WHERE hold_id IN (SELECT id FROM r))"
                + " SELECT count(*) FROM r";
    }

    /**
     * The {@code SET} item that gives a hold's allowance units back to the account's allowance when it
     * still counts the hold's period in the same unit and that period is the current one by the database
     * clock (else they belonged to an old period: dropped, also before the new period's first charge).
     * {@code h} names the relation with the hold's {@code unit}/{@code allowance_unit} and period.
     */
    private static String giveBack(String s, String units, String h) {
        return " allowance_used = CASE WHEN " + sameAllowance(s, units, h)
                + " THEN greatest(accounts.allowance_used - " + units + ", 0) ELSE accounts.allowance_used END";
    }

    /** What {@link #giveBack} gave back, for the entry. */
    private static String givenBack(String s, String units, String h) {
        return "CASE WHEN " + sameAllowance(s, units, h) + " THEN " + units + " ELSE 0 END";
    }

    private static String sameAllowance(String s, String units, String h) {
        String unit = h.equals("r") ? "r.allowance_unit" : h + ".unit";
        String period = h.equals("r") ? "r.allowance_period" : h + ".period";
        return units + " > 0 AND accounts.allowance_unit = " + unit + " AND accounts.allowance_period_start = " + period
                + " AND " + period + " = " + s + ".allowance_period_start(accounts.allowance_anchor_day, now())";
    }

    /** Parameters: amount, id, currency, amount, and for a credit the maximum balance. */
    private static String adjust(String schema, boolean credit) {
        return "UPDATE " + schema + ".accounts SET balance = balance " + (credit ? "+" : "-") + " ?"
                + " WHERE id = ? AND currency = ? AND " + (credit ? "balance + ? + coalesce((SELECT sum(h.amount)"
                + " FROM " + schema + ".holds h WHERE h.state = 'open' AND h.account_id = accounts.id), 0) <= ?"
                : "balance >= ?") + " RETURNING balance";
    }
}
