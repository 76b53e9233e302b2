-- Version 7: an allowance part is given back only to the CURRENT period, computed from the database clock
-- (now()), not merely to the period the account last counted: after a rollover with no charge yet in the
-- new period, the old period's part is dropped (as after a charge in the new period), and its entry says
-- 0. A metered commit writes no RELEASE entry when nothing goes back (say a call, which stays used).
-- The release, expiry and single-commit statements live in LedgerStatements; apply_batch (group commit's
-- metered commits) is replaced here, otherwise as in version 5.
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
                                AND s.period = a.allowance_period_start
                                AND s.period = ${schema}.allowance_period_start(a.allowance_anchor_day, now())), 0), 0)
                     FROM (SELECT s.account_id, sum(s.back_balance) AS back_balance FROM s
                            WHERE s.kind = 3 GROUP BY s.account_id) t
                    WHERE a.id = t.account_id),
             e AS (INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference,
                                                  allowance_delta)
                   SELECT s.account_id, 'commit', 0, -s.charged, s.id, s.resource, 0 FROM s
                   UNION ALL
                   SELECT g.account_id, 'release', g.back_balance, -g.back_balance, g.id, g.resource, g.back
                     FROM (SELECT s.account_id, s.back_balance, s.id, s.resource,
                                  CASE WHEN s.unit = a.allowance_unit AND s.period = a.allowance_period_start
                                        AND s.period = ${schema}.allowance_period_start(a.allowance_anchor_day, now())
                                       THEN s.back_units ELSE 0 END AS back
                             FROM s JOIN ${schema}.accounts a ON a.id = s.account_id WHERE s.kind = 3) g
                    WHERE g.back_balance > 0 OR g.back > 0)
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
