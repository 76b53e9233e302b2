-- Tollgate ledger, schema version 1 (PostgreSQL 12+).
-- ${schema} is replaced by the configured schema name. Applied by PostgresLedger.createSchema(),
-- which records it in ${schema}.schema_version; later versions go in V2__..., V3__... files.

-- Accounts: the available balance only. Money under open holds is in ${schema}.holds, so settling
-- a hold never has to lock the (possibly hot) account row.
CREATE TABLE ${schema}.accounts (
    id          text PRIMARY KEY,
    currency    text NOT NULL,
    balance     numeric(38, 18) NOT NULL CHECK (balance >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ${schema}.entitlements (
    account_id  text NOT NULL REFERENCES ${schema}.accounts (id) ON DELETE CASCADE,
    name        text NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, name)
);

-- Holds: open -> committed | released | expired, each transition exactly once (guarded by state).
-- No foreign key to accounts: a key check would lock the (possibly hot) account row on every
-- insert; accounts are never deleted and only the ledger writes here.
CREATE TABLE ${schema}.holds (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  text NOT NULL,
    amount      numeric(38, 18) NOT NULL CHECK (amount >= 0),
    resource    text NOT NULL,
    state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'committed', 'released', 'expired')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    settled_at  timestamptz
);
CREATE INDEX holds_open_by_expiry ON ${schema}.holds (expires_at) WHERE state = 'open';

-- Entries: every change of a balance, and why. Append-only (enforced by a trigger).
CREATE TABLE ${schema}.entries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id       text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('open', 'hold', 'commit', 'release', 'expiry', 'reversal',
                                                   'credit', 'debit')),
    available_delta  numeric(38, 18) NOT NULL,
    held_delta       numeric(38, 18) NOT NULL,
    hold_id          bigint,
    reference        text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entries_by_account_time ON ${schema}.entries (account_id, created_at, id);

CREATE FUNCTION ${schema}.entries_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Tollgate ledger entries are append-only';
END
$$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON ${schema}.entries
    FOR EACH ROW EXECUTE FUNCTION ${schema}.entries_are_append_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON ${schema}.entries
    FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.entries_are_append_only();

-- Reserve: hold and entry first, the conditional debit last, so the account row is locked only for
-- the debit and the commit of this one short transaction (a hot account serialises on that lock).
-- A refusal raises SQLSTATE TG001, which rolls the inserts back; the caller then reads why.
CREATE FUNCTION ${schema}.reserve(p_account text, p_amount numeric, p_currency text, p_entitlement text,
                                  p_resource text, p_ttl interval)
    RETURNS TABLE (hold_id bigint, expires_at timestamptz, balance numeric, currency text)
    LANGUAGE plpgsql AS $$
DECLARE
    h bigint;
    e timestamptz;
    b numeric;
    c text;
BEGIN
    INSERT INTO ${schema}.holds AS x (account_id, amount, resource, expires_at)
        VALUES (p_account, p_amount, p_resource, now() + p_ttl)
        RETURNING x.id, x.expires_at INTO h, e;
    INSERT INTO ${schema}.entries (account_id, kind, available_delta, held_delta, hold_id, reference)
        VALUES (p_account, 'hold', -p_amount, p_amount, h, p_resource);
    IF p_amount = 0 THEN
        -- An entitlement check alone takes no lock on the account.
        SELECT a.balance, a.currency INTO b, c FROM ${schema}.accounts a
         WHERE a.id = p_account
           AND (p_entitlement IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                  WHERE t.account_id = a.id AND t.name = p_entitlement));
    ELSE
        UPDATE ${schema}.accounts a SET balance = a.balance - p_amount
         WHERE a.id = p_account AND a.currency = p_currency AND a.balance >= p_amount
           AND (p_entitlement IS NULL OR EXISTS (SELECT 1 FROM ${schema}.entitlements t
                                                  WHERE t.account_id = a.id AND t.name = p_entitlement))
        RETURNING a.balance, a.currency INTO b, c;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'charge refused' USING ERRCODE = 'TG001';
    END IF;
    RETURN QUERY SELECT h, e, b, c;
END
$$;

-- Client idempotency keys: in_progress while the hold is open, completed (with the response to
-- replay) in the same transaction as the commit, deleted with a release or an expiry.
CREATE TABLE ${schema}.idempotency_keys (
    account_id     text NOT NULL,
    key            text NOT NULL,
    fingerprint    text NOT NULL,
    hold_id        bigint,
    state          text NOT NULL CHECK (state IN ('in_progress', 'completed')),
    status         int,
    headers        text[],
    body           bytea,
    body_retained  boolean,
    -- Set when the recorded response has been replayed: the charge can no longer be reversed.
    replayed       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_by_hold ON ${schema}.idempotency_keys (hold_id);
CREATE INDEX idempotency_keys_by_expiry ON ${schema}.idempotency_keys (expires_at);
