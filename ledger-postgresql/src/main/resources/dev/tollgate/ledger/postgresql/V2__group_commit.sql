-- Tollgate ledger, schema version 2: group commit. Additive: one function, no table changes, so
-- nodes of version 1 keep working on a schema of version 2.
--
-- apply_batch applies the reserves and commits that concurrent requests handed to one node's
-- batcher in a single call: one round trip and one durable commit for all of them. Each member keeps
-- exactly the semantics of its single-statement counterpart (the reserve function of version 1, the
-- commit and metered-commit statements): one member that cannot pay is reported (o_ok = false) and
-- changes nothing, without failing the others. The members were in flight together, so any order
-- is a correct one; this one is: the commits (the first settlement of a hold in the batch wins),
-- then the reserves in the order given. Work is done set-wise where the members are independent
-- (commits; reserves on accounts that appear once) and member by member where they are not (several
-- reserves on one account: each sees the balance the previous one left).
--
-- p_kind: 1 reserve (p_account, p_amount, p_currency, p_entitlement, p_resource; a hold of p_ttl),
--         2 commit of hold p_hold,
--         3 metered commit of hold p_hold: charge p_amount of the p_reserved it holds, return the
--           rest to the account (p_account names it, for the lock order only).
-- One row per member: o_ord (1-based position), o_ok, and for a reserve the hold, its deadline and
-- the account's balance and currency after the debit.
CREATE FUNCTION ${schema}.apply_batch(p_kind smallint[], p_account text[], p_amount numeric[], p_currency text[],
                                      p_entitlement text[], p_resource text[], p_hold bigint[], p_reserved numeric[],
                                      p_ttl interval)
    RETURNS TABLE (o_ord int, o_ok boolean, o_hold bigint, o_expires timestamptz, o_balance numeric, o_currency text)
    LANGUAGE plpgsql AS $$
DECLARE
    n int := coalesce(array_length(p_kind, 1), 0);
    ok boolean[] := array_fill(false, ARRAY[n]);
    ids bigint[] := array_fill(NULL::bigint, ARRAY[n]);
    bal numeric[] := array_fill(NULL::numeric, ARRAY[n]);
    cur text[] := array_fill(NULL::text, ARRAY[n]);
    single int[];
    got int[];
    got_balance numeric[];
    got_currency text[];
    got_id bigint[];
    b numeric;
    c text;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    -- One lock order for everything that touches both: holds before accounts, each in id order. The
    -- single-statement transitions (release, expiry, the sweeper) lock a hold, then its account, so
    -- neither they nor the batches of other nodes can deadlock with this one. A batch of one locks
    -- in that order by itself.
    IF n > 1 THEN
        PERFORM 1 FROM ${schema}.holds x WHERE x.id = ANY (p_hold) ORDER BY x.id FOR UPDATE;
        PERFORM 1 FROM ${schema}.accounts a
          WHERE a.id = ANY (ARRAY(SELECT DISTINCT u.account FROM unnest(p_kind, p_account, p_amount) u(kind, account, amount)
                                   WHERE (u.kind = 1 AND u.amount > 0) OR u.kind = 3))
          ORDER BY a.id FOR UPDATE;
    END IF;

    -- Commits, in one statement. A metered commit keeps the charged amount in the hold row (so an
    -- undo returns exactly that) and returns the rest; the guard on the reserved amount refuses a
    -- hold the ledger did not issue.
    IF 2 = ANY (p_kind) OR 3 = ANY (p_kind) THEN
        WITH u AS (SELECT DISTINCT ON (p_hold[i]) i, p_kind[i] AS kind, p_hold[i] AS hold, p_amount[i] AS actual,
                          p_reserved[i] AS reserved
                     FROM generate_subscripts(p_kind, 1) i WHERE p_kind[i] IN (2, 3) ORDER BY p_hold[i], i),
             s AS (UPDATE ${schema}.holds x SET state = 'committed', settled_at = now(),
                          amount = CASE WHEN u.kind = 3 THEN u.actual ELSE x.amount END
                     FROM u WHERE x.id = u.hold AND x.state = 'open' AND x.expires_at > now()
                      AND (u.kind = 2 OR x.amount = u.reserved)
                   RETURNING u.i, u.kind, x.id, x.account_id, x.amount AS charged, u.reserved, x.resource),
             r AS (UPDATE ${schema}.accounts a SET balance = a.balance + t.rest
                     FROM (SELECT s.account_id, sum(s.reserved - s.charged) AS rest FROM s WHERE s.kind = 3
                            GROUP BY s.account_id) t
                    WHERE a.id = t.account_id),
             e AS (INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
                   SELECT s.account_id, 'commit', 0, -s.charged, s.id, s.resource FROM s
                   UNION ALL
                   SELECT s.account_id, 'release', s.reserved - s.charged, s.charged - s.reserved, s.id, s.resource
                     FROM s WHERE s.kind = 3 AND s.reserved > s.charged)
        SELECT array_agg(s.i) INTO got FROM s;
        IF got IS NOT NULL THEN
            FOR k IN 1 .. array_length(got, 1) LOOP
                ok[got[k]] := true;
            END LOOP;
        END IF;
    END IF;

    IF 1 = ANY (p_kind) THEN
        -- Reserves with a price on accounts no other reserve of the batch touches: one conditional
        -- debit for all of them.
        SELECT array_agg(w.i) INTO single
          FROM (SELECT i, count(*) OVER (PARTITION BY p_account[i]) AS k FROM generate_subscripts(p_kind, 1) i
                 WHERE p_kind[i] = 1 AND p_amount[i] > 0) w
         WHERE w.k = 1;
        IF single IS NOT NULL THEN
            WITH d AS (UPDATE ${schema}.accounts a SET balance = a.balance - p_amount[u.i]
                         FROM unnest(single) u(i)
                        WHERE a.id = p_account[u.i] AND a.currency = p_currency[u.i] AND a.balance >= p_amount[u.i]
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
        ELSE
            single := '{}';
        END IF;
        -- The others one by one, in order: several reserves on one account (each sees the balance
        -- the previous one left) and entitlement checks without a price (no lock, no change).
        FOR i IN 1 .. n LOOP
            CONTINUE WHEN p_kind[i] <> 1 OR i = ANY (single);
            IF p_amount[i] = 0 THEN
                SELECT a.balance, a.currency INTO b, c FROM ${schema}.accounts a
                 WHERE a.id = p_account[i]
                   AND (p_entitlement[i] IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                           WHERE t.account_id = a.id AND t.name = p_entitlement[i]));
            ELSE
                UPDATE ${schema}.accounts a SET balance = a.balance - p_amount[i]
                 WHERE a.id = p_account[i] AND a.currency = p_currency[i] AND a.balance >= p_amount[i]
                   AND (p_entitlement[i] IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                           WHERE t.account_id = a.id AND t.name = p_entitlement[i]))
                RETURNING a.balance, a.currency INTO b, c;
            END IF;
            IF FOUND THEN
                ok[i] := true;
                bal[i] := b;
                cur[i] := c;
            END IF;
        END LOOP;
        -- The holds of the reserves that passed and their entries, two statements for all. Each gets
        -- its id first, so that the answers can say which hold is whose.
        SELECT array_agg(g.i), array_agg(g.id) INTO got, got_id
          FROM (SELECT i, nextval(pg_get_serial_sequence('${schema}.holds', 'id')) AS id
                  FROM generate_subscripts(p_kind, 1) i WHERE p_kind[i] = 1 AND ok[i]) g;
        IF got IS NOT NULL THEN
            INSERT INTO ${schema}.holds (id, account_id, amount, resource, expires_at) OVERRIDING SYSTEM VALUE
            SELECT g.id, p_account[g.i], p_amount[g.i], p_resource[g.i], now() + p_ttl FROM unnest(got, got_id) g(i, id);
            INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
            SELECT p_account[g.i], 'hold', -p_amount[g.i], p_amount[g.i], g.id, p_resource[g.i]
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
