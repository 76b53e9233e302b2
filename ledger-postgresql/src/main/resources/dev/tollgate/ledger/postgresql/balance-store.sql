-- Tables of a BalanceLedger's PostgresHoldStore: Tollgate's holds and idempotency records for an
-- application that keeps its balances elsewhere (dev.tollgate.spi.Balances). Created by
-- PostgresHoldStore.createSchema(); every statement is idempotent, so each node may run it on start.

-- Holds: debiting -> open -> committed, or open -> releasing|expiring -> released|expired (back to
-- open when the credit fails). Only the transition out of 'open' credits money back.
CREATE TABLE IF NOT EXISTS ${schema}.balance_holds (
    id          text PRIMARY KEY,
    account_id  text NOT NULL,
    amount      numeric(38, 18) NOT NULL CHECK (amount >= 0),
    currency    text NOT NULL,
    state       text NOT NULL CHECK (state IN ('debiting', 'open', 'committed', 'releasing', 'expiring',
                                               'released', 'expired')),
    expires_at  timestamptz NOT NULL,
    settled_at  timestamptz
);
CREATE INDEX IF NOT EXISTS balance_holds_open_by_expiry ON ${schema}.balance_holds (expires_at) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS balance_holds_settled ON ${schema}.balance_holds (settled_at) WHERE settled_at IS NOT NULL;

-- Client idempotency keys: in progress (status IS NULL) while the hold runs, completed with the
-- response to replay in the commit's transaction, deleted with a release or an expiry.
CREATE TABLE IF NOT EXISTS ${schema}.balance_keys (
    account_id     text NOT NULL,
    key            text NOT NULL,
    fingerprint    text NOT NULL,
    hold_id        text NOT NULL,
    status         int,
    headers        text[],
    body           bytea,
    body_retained  boolean,
    expires_at     timestamptz,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX IF NOT EXISTS balance_keys_by_hold ON ${schema}.balance_keys (hold_id);
CREATE INDEX IF NOT EXISTS balance_keys_by_expiry ON ${schema}.balance_keys (expires_at) WHERE expires_at IS NOT NULL;
