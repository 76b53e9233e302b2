-- Tollgate ledger, schema version 5: monthly allowances (issue 12).
-- An account may have one allowance (its plan's): credits (money in the account's unit) or calls per month,
-- the month starting at 00:00 UTC on an anchor day 1-31 (clamped to the month's last day; 1 is the calendar
-- month). It is spent before the balance and reset lazily: the first charge of a new period (by the
-- DATABASE clock, now(), in the statement that debits) starts the count at zero, under the account row's
-- lock, so nodes with skewed clocks agree and the reset happens once. The allowance lives in the account row
-- itself: no new lock, no new lock order.
--
-- A hold keeps how it was split: amount is the balance's part (what a release returns to the balance, as
-- before), allowance_amount the money the allowance covered, allowance_units what it used of the allowance
-- (credits, or 1 call) in the period starting at allowance_period. Entries get allowance_delta (in the
-- allowance's unit): negative on a hold the allowance covered, positive on a release, expiry or reversal that
-- gave the part back within the same period. A part given back after the period rolled over is dropped.
ALTER TABLE ${schema}.accounts
    ADD COLUMN allowance_plan text,
    ADD COLUMN allowance_unit text CHECK (allowance_unit IN ('credits', 'calls')),
    ADD COLUMN allowance_limit numeric(38, 18) CHECK (allowance_limit > 0),
    ADD COLUMN allowance_anchor_day int CHECK (allowance_anchor_day BETWEEN 1 AND 31),
    ADD COLUMN allowance_period_start timestamptz,
    ADD COLUMN allowance_used numeric(38, 18) NOT NULL DEFAULT 0 CHECK (allowance_used >= 0),
    ADD CONSTRAINT accounts_allowance_complete CHECK ((allowance_unit IS NULL) = (allowance_plan IS NULL)
        AND (allowance_unit IS NULL) = (allowance_limit IS NULL) AND (allowance_unit IS NULL) = (allowance_anchor_day IS NULL));

ALTER TABLE ${schema}.holds
    ADD COLUMN allowance_amount numeric(38, 18) NOT NULL DEFAULT 0 CHECK (allowance_amount >= 0),
    ADD COLUMN allowance_units numeric(38, 18) NOT NULL DEFAULT 0 CHECK (allowance_units >= 0),
    ADD COLUMN allowance_unit text,
    ADD COLUMN allowance_period timestamptz;

ALTER TABLE ${schema}.entries ADD COLUMN allowance_delta numeric(38, 18) NOT NULL DEFAULT 0;
-- The same list as version 6 (admin notes), whichever of the two a schema gets first. NOT VALID: every row
-- already passed the narrower check being replaced.
ALTER TABLE ${schema}.entries DROP CONSTRAINT entries_kind_check;
ALTER TABLE ${schema}.entries ADD CONSTRAINT entries_kind_check
    CHECK (kind IN ('open', 'hold', 'commit', 'release', 'expiry', 'reversal', 'credit', 'debit', 'allowance',
                  'note')) NOT VALID;

-- The start of the allowance period that contains p_at: 00:00 UTC on the anchor day (clamped to the month's
-- last day) of p_at's month, or of the month before when that day is still ahead.
CREATE FUNCTION ${schema}.allowance_period_start(p_anchor int, p_at timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE AS $$
    SELECT (CASE WHEN (p_at AT TIME ZONE 'UTC') < this_anchor THEN prev_anchor ELSE this_anchor END) AT TIME ZONE 'UTC'
      FROM (SELECT date_trunc('month', p_at AT TIME ZONE 'UTC') AS m) x,
           LATERAL (SELECT x.m + make_interval(days => least(p_anchor,
                               extract(day FROM x.m + interval '1 month' - interval '1 day')::int) - 1) AS this_anchor,
                           (x.m - interval '1 month') + make_interval(days => least(p_anchor,
                               extract(day FROM x.m - interval '1 day')::int) - 1) AS prev_anchor) y
$$;

-- The debit of a reserve with a price: the balance alone for an account without allowance (one conditional
-- update, as before), else the allowance first, the balance for the rest, under the account row's lock.
-- o_balance is NULL when the account cannot pay (or is unknown, in another unit, or lacks the entitlement):
-- then nothing changed.
CREATE FUNCTION ${schema}.debit_account(p_account text, p_amount numeric, p_currency text, p_entitlement text,
                                        OUT o_balance numeric, OUT o_currency text, OUT o_cover numeric,
                                        OUT o_units numeric, OUT o_unit text, OUT o_period timestamptz)
    LANGUAGE plpgsql AS $$
DECLARE
    a record;
    cur timestamptz;
    used numeric;
    per timestamptz;
    remaining numeric;
BEGIN
    o_cover := 0;
    o_units := 0;
    UPDATE ${schema}.accounts x SET balance = x.balance - p_amount
     WHERE x.id = p_account AND x.currency = p_currency AND x.balance >= p_amount AND x.allowance_unit IS NULL
       AND (p_entitlement IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                              WHERE t.account_id = x.id AND t.name = p_entitlement))
    RETURNING x.balance, x.currency INTO o_balance, o_currency;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT x.balance, x.allowance_unit, x.allowance_limit, x.allowance_anchor_day, x.allowance_period_start,
           x.allowance_used
      INTO a FROM ${schema}.accounts x
     WHERE x.id = p_account AND x.currency = p_currency AND x.allowance_unit IS NOT NULL
       AND (p_entitlement IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                              WHERE t.account_id = x.id AND t.name = p_entitlement))
       FOR UPDATE;
    IF NOT FOUND THEN
        o_balance := NULL;
        RETURN;
    END IF;
    cur := ${schema}.allowance_period_start(a.allowance_anchor_day, now());
    IF a.allowance_period_start IS NULL OR a.allowance_period_start < cur THEN
        per := cur; -- the lazy reset: the first charge of a new period
        used := 0;
    ELSE
        per := a.allowance_period_start;
        used := a.allowance_used;
    END IF;
    remaining := greatest(a.allowance_limit - used, 0);
    IF a.allowance_unit = 'calls' THEN
        IF remaining >= 1 THEN
            o_cover := p_amount;
            o_units := 1;
        END IF;
    ELSE
        o_cover := least(p_amount, remaining);
        o_units := o_cover;
    END IF;
    IF a.balance < p_amount - o_cover THEN
        o_balance := NULL; -- the balance cannot pay its part: nothing is taken from the allowance either
        RETURN;
    END IF;
    UPDATE ${schema}.accounts x SET balance = x.balance - (p_amount - o_cover), allowance_used = used + o_units,
                                    allowance_period_start = per
     WHERE x.id = p_account
    RETURNING x.balance, x.currency INTO o_balance, o_currency;
    IF o_units > 0 THEN
        o_unit := a.allowance_unit;
        o_period := per;
    END IF;
END
$$;

-- reserve (version 1's signature): the hold first, the debit (through debit_account), then the split on the
-- new hold row and the entry.
CREATE OR REPLACE FUNCTION ${schema}.reserve(p_account text, p_amount numeric, p_currency text, p_entitlement text,
                                             p_resource text, p_ttl interval)
    RETURNS TABLE (hold_id bigint, expires_at timestamptz, balance numeric, currency text)
    LANGUAGE plpgsql AS $$
DECLARE
    h bigint;
    e timestamptz;
    d record;
    b numeric;
    c text;
BEGIN
    INSERT INTO ${schema}.holds AS x (account_id, amount, resource, expires_at)
        VALUES (p_account, p_amount, p_resource, now() + p_ttl)
        RETURNING x.id, x.expires_at INTO h, e;
    IF p_amount = 0 THEN
        -- An entitlement check alone takes no lock on the account and no allowance.
        SELECT a.balance, a.currency INTO b, c FROM ${schema}.accounts a
         WHERE a.id = p_account
           AND (p_entitlement IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                  WHERE t.account_id = a.id AND t.name = p_entitlement));
        IF NOT FOUND THEN
            RAISE EXCEPTION 'charge refused' USING ERRCODE = 'TG001';
        END IF;
        INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
            VALUES (p_account, 'hold', 0, 0, h, p_resource);
    ELSE
        SELECT * INTO d FROM ${schema}.debit_account(p_account, p_amount, p_currency, p_entitlement);
        IF d.o_balance IS NULL THEN
            RAISE EXCEPTION 'charge refused' USING ERRCODE = 'TG001';
        END IF;
        b := d.o_balance;
        c := d.o_currency;
        IF d.o_units > 0 THEN
            UPDATE ${schema}.holds x SET amount = p_amount - d.o_cover, allowance_amount = d.o_cover,
                   allowance_units = d.o_units, allowance_unit = d.o_unit, allowance_period = d.o_period
             WHERE x.id = h;
        END IF;
        INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference, allowance_delta)
            VALUES (p_account, 'hold', d.o_cover - p_amount, p_amount - d.o_cover, h, p_resource, -d.o_units);
    END IF;
    RETURN QUERY SELECT h, e, b, c;
END
$$;

-- apply_batch (version 2's signature and semantics) with allowances: reserves on accounts with an allowance
-- go member by member through debit_account; a metered commit gives back the balance part first, then the
-- allowance part (a call stays used).
CREATE OR REPLACE FUNCTION ${schema}.apply_batch(p_kind smallint[], p_account text[], p_amount numeric[],
                                                 p_currency text[], p_entitlement text[], p_resource text[],
                                                 p_hold bigint[], p_reserved numeric[], p_ttl interval)
    RETURNS TABLE (o_ord int, o_ok boolean, o_hold bigint, o_expires timestamptz, o_balance numeric, o_currency text)
    LANGUAGE plpgsql AS $$
DECLARE
    n int := coalesce(array_length(p_kind, 1), 0);
    ok boolean[] := array_fill(false, ARRAY[n]);
    ids bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    bal numeric[] := array_fill(NULL::numeric, ARRAY[n]);
    cur text[] := array_fill(NULL::text, ARRAY[n]);
    cov numeric[] := array_fill(0::numeric, ARRAY[n]);
    uni numeric[] := array_fill(0::numeric, ARRAY[n]);
    aunit text[] := array_fill(NULL::text, ARRAY[n]);
    per timestamptz[] := array_fill(NULL::timestamptz, ARRAY[n]);
    single int[];
    got int[];
    got_balance numeric[];
    got_currency text[];
    got_id bigint[];
    b numeric;
    c text;
    dr record;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    -- One lock order for everything that touches both: holds before accounts, each in id order.
    IF n > 1 THEN
        PERFORM 1 FROM ${schema}.holds x WHERE x.id = ANY (p_hold) ORDER BY x.id FOR UPDATE;
        PERFORM 1 FROM ${schema}.accounts a
          WHERE a.id = ANY (ARRAY(SELECT DISTINCT u.account FROM unnest(p_kind, p_account, p_amount) u(kind, account, amount)
                                   WHERE (u.kind = 1 AND u.amount > 0) OR u.kind = 3))
          ORDER BY a.id FOR UPDATE;
    END IF;

    -- Commits, in one statement. A metered commit keeps in the hold row what it charged from the balance and
    -- from the allowance (so an undo returns exactly that) and gives the rest back: the balance part first.
    IF 2 = ANY (p_kind) OR 3 = ANY (p_kind) THEN
        WITH u AS (SELECT DISTINCT ON (p_hold[i]) i, p_kind[i] AS kind, p_hold[i] AS hold, p_amount[i] AS actual,
                          p_reserved[i] AS reserved, p_reserved[i] - p_amount[i] AS rest
                     FROM generate_subscripts(p_kind, 1) i WHERE p_kind[i] IN (2, 3) ORDER BY p_hold[i], i),
             s AS (UPDATE ${schema}.holds x SET state = 'committed', settled_at = now(),
                          amount = CASE WHEN u.kind = 3 THEN o.amount - least(u.rest, o.amount) ELSE o.amount END,
                          allowance_amount = CASE WHEN u.kind = 3
                              THEN o.allowance_amount - (u.rest - least(u.rest, o.amount)) ELSE o.allowance_amount END,
                          allowance_units = CASE WHEN u.kind = 3 AND o.allowance_unit = 'credits'
                              THEN o.allowance_units - (u.rest - least(u.rest, o.amount)) ELSE o.allowance_units END
                     FROM u JOIN ${schema}.holds o ON o.id = u.hold
                    WHERE x.id = u.hold AND x.state = 'open' AND x.expires_at > now()
                      AND (u.kind = 2 OR o.amount + o.allowance_amount = u.reserved)
                   RETURNING u.i, u.kind, x.id, x.account_id, x.amount AS charged, x.resource,
                             CASE WHEN u.kind = 3 THEN least(u.rest, o.amount) ELSE 0 END AS back_balance,
                             CASE WHEN u.kind = 3 AND o.allowance_unit = 'credits'
                                  THEN u.rest - least(u.rest, o.amount) ELSE 0 END AS back_units,
                             o.allowance_unit AS unit, o.allowance_period AS period),
             r AS (UPDATE ${schema}.accounts a SET balance = a.balance + t.back_balance,
                          allowance_used = greatest(a.allowance_used - coalesce((SELECT sum(s.back_units) FROM s
                              WHERE s.account_id = a.id AND s.unit = a.allowance_unit
                                AND s.period = a.allowance_period_start), 0), 0)
                     FROM (SELECT s.account_id, sum(s.back_balance) AS back_balance FROM s
                            WHERE s.kind = 3 GROUP BY s.account_id) t
                    WHERE a.id = t.account_id),
             e AS (INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference,
                                                  allowance_delta)
                   SELECT s.account_id, 'commit', 0, -s.charged, s.id, s.resource, 0 FROM s
                   UNION ALL
                   SELECT s.account_id, 'release', s.back_balance, -s.back_balance, s.id, s.resource,
                          CASE WHEN s.unit = a.allowance_unit AND s.period = a.allowance_period_start
                               THEN s.back_units ELSE 0 END
                     FROM s JOIN ${schema}.accounts a ON a.id = s.account_id
                    WHERE s.kind = 3 AND (s.back_balance > 0 OR s.back_units > 0))
        SELECT array_agg(s.i) INTO got FROM s;
        IF got IS NOT NULL THEN
            FOR k IN 1 .. array_length(got, 1) LOOP
                ok[got[k]] := true;
            END LOOP;
        END IF;
    END IF;

    IF 1 = ANY (p_kind) THEN
        -- Reserves with a price on accounts without allowance that no other reserve of the batch touches: one
        -- conditional debit for all of them.
        SELECT array_agg(w.i) INTO single
          FROM (SELECT i, count(*) OVER (PARTITION BY p_account[i]) AS k FROM generate_subscripts(p_kind, 1) i
                 WHERE p_kind[i] = 1 AND p_amount[i] > 0) w
         WHERE w.k = 1;
        IF single IS NOT NULL THEN
            WITH d AS (UPDATE ${schema}.accounts a SET balance = a.balance - p_amount[u.i]
                         FROM unnest(single) u(i)
                        WHERE a.id = p_account[u.i] AND a.currency = p_currency[u.i] AND a.balance >= p_amount[u.i]
                          AND a.allowance_unit IS NULL
                          AND (p_entitlement[u.i] IS NULL
                               OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                           WHERE t.account_id = a.id AND t.name = p_entitlement[u.i]))
                       RETURNING u.i, a.balance, a.currency)
            SELECT array_agg(d.i), array_agg(d.balance), array_agg(d.currency) INTO got, got_balance, got_currency
              FROM d;
            IF got IS NOT NULL THEN
                FOR k IN 1 .. array_length(got, 1) LOOP
                    ok[got[k]] := true;
                    bal[got[k]] := got_balance[k];
                    cur[got[k]] := got_currency[k];
                END LOOP;
            END IF;
        END IF;
        -- The others one by one, in order: several reserves on one account (each sees the balance and the
        -- allowance the previous one left), accounts with an allowance, and entitlement checks without a price.
        FOR i IN 1 .. n LOOP
            CONTINUE WHEN p_kind[i] <> 1 OR ok[i];
            IF p_amount[i] = 0 THEN
                SELECT a.balance, a.currency INTO b, c FROM ${schema}.accounts a
                 WHERE a.id = p_account[i]
                   AND (p_entitlement[i] IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                           WHERE t.account_id = a.id AND t.name = p_entitlement[i]));
                IF FOUND THEN
                    ok[i] := true;
                    bal[i] := b;
                    cur[i] := c;
                END IF;
            ELSE
                SELECT * INTO dr FROM ${schema}.debit_account(p_account[i], p_amount[i], p_currency[i], p_entitlement[i]);
                IF dr.o_balance IS NOT NULL THEN
                    ok[i] := true;
                    bal[i] := dr.o_balance;
                    cur[i] := dr.o_currency;
                    cov[i] := dr.o_cover;
                    uni[i] := dr.o_units;
                    aunit[i] := dr.o_unit;
                    per[i] := dr.o_period;
                END IF;
            END IF;
        END LOOP;
        -- The holds of the reserves that passed and their entries, two statements for all.
        SELECT array_agg(g.i), array_agg(g.id) INTO got, got_id
          FROM (SELECT i, nextval(pg_get_serial_sequence('${schema}.holds', 'id')) AS id
                  FROM generate_subscripts(p_kind, 1) i WHERE p_kind[i] = 1 AND ok[i]) g;
        IF got IS NOT NULL THEN
            INSERT INTO ${schema}.holds (id, account_id, amount, resource, expires_at, allowance_amount, allowance_units,
                                         allowance_unit, allowance_period) OVERRIDING SYSTEM VALUE
            SELECT g.id, p_account[g.i], p_amount[g.i] - cov[g.i], p_resource[g.i], now() + p_ttl, cov[g.i], uni[g.i],
                   aunit[g.i], per[g.i]
              FROM unnest(got, got_id) g(i, id);
            INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference,
                                           allowance_delta)
            SELECT p_account[g.i], 'hold', cov[g.i] - p_amount[g.i], p_amount[g.i] - cov[g.i], g.id, p_resource[g.i],
                   -uni[g.i]
              FROM unnest(got, got_id) g(i, id);
            FOR k IN 1 .. array_length(got, 1) LOOP
                ids[got[k]] := got_id[k];
            END LOOP;
        END IF;
    END IF;

    RETURN QUERY SELECT i, ok[i], ids[i], CASE WHEN ok[i] AND p_kind[i] = 1 THEN now() + p_ttl END, bal[i], cur[i]
                   FROM generate_subscripts(p_kind, 1) i;
END
$$;
