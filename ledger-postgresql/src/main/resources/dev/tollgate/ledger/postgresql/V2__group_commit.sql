-- Tollgate ledger, schema version 2: group commit. Additive: one function, no table changes, so
-- nodes of version 1 keep working on a schema of version 2.
--
-- apply_batch applies the reserves and commits that concurrent requests handed to one node's
-- batcher in a single call: one round trip and one durable commit for all of them. The members are
-- applied one by one in the order given, each with exactly the semantics of its single-statement
-- counterpart (the reserve function of version 1, the commit and metered-commit statements), so one
-- member that cannot pay is reported (o_ok = false) and changes nothing, without failing the others.
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
    acc text;
    amt numeric;
    res text;
    rest numeric;
BEGIN
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
    FOR i IN 1 .. n LOOP
        o_ord := i;
        o_hold := NULL;
        o_expires := NULL;
        o_balance := NULL;
        o_currency := NULL;
        IF p_kind[i] = 1 THEN
            IF p_amount[i] = 0 THEN
                -- An entitlement check alone changes no balance.
                SELECT a.balance, a.currency INTO o_balance, o_currency FROM ${schema}.accounts a
                 WHERE a.id = p_account[i]
                   AND (p_entitlement[i] IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                           WHERE t.account_id = a.id AND t.name = p_entitlement[i]));
            ELSE
                UPDATE ${schema}.accounts a SET balance = a.balance - p_amount[i]
                 WHERE a.id = p_account[i] AND a.currency = p_currency[i] AND a.balance >= p_amount[i]
                   AND (p_entitlement[i] IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                           WHERE t.account_id = a.id AND t.name = p_entitlement[i]))
                RETURNING a.balance, a.currency INTO o_balance, o_currency;
            END IF;
            o_ok := FOUND;
            IF o_ok THEN
                INSERT INTO ${schema}.holds AS x (account_id, amount, resource, expires_at)
                    VALUES (p_account[i], p_amount[i], p_resource[i], now() + p_ttl)
                    RETURNING x.id, x.expires_at INTO o_hold, o_expires;
                INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
                    VALUES (p_account[i], 'hold', -p_amount[i], p_amount[i], o_hold, p_resource[i]);
            END IF;
        ELSIF p_kind[i] = 2 THEN
            UPDATE ${schema}.holds x SET state = 'committed', settled_at = now()
             WHERE x.id = p_hold[i] AND x.state = 'open' AND x.expires_at > now()
            RETURNING x.account_id, x.amount, x.resource INTO acc, amt, res;
            o_ok := FOUND;
            IF o_ok THEN
                INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
                    VALUES (acc, 'commit', 0, -amt, p_hold[i], res);
            END IF;
        ELSIF p_kind[i] = 3 THEN
            rest := p_reserved[i] - p_amount[i];
            -- The hold row then says what was charged; the guard on the reserved amount refuses a
            -- hold the ledger did not issue.
            UPDATE ${schema}.holds x SET state = 'committed', settled_at = now(), amount = p_amount[i]
             WHERE x.id = p_hold[i] AND x.state = 'open' AND x.expires_at > now() AND x.amount = p_reserved[i]
            RETURNING x.account_id, x.resource INTO acc, res;
            o_ok := FOUND;
            IF o_ok THEN
                UPDATE ${schema}.accounts a SET balance = a.balance + rest WHERE a.id = acc;
                INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
                    VALUES (acc, 'commit', 0, -p_amount[i], p_hold[i], res);
                IF rest > 0 THEN
                    INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
                        VALUES (acc, 'release', rest, -rest, p_hold[i], res);
                END IF;
            END IF;
        ELSE
            RAISE EXCEPTION 'apply_batch: unknown kind %', p_kind[i] USING ERRCODE = '22023';
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
