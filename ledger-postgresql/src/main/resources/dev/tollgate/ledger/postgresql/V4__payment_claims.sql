-- Tollgate ledger, schema version 4: single-use claims of payment credentials (x402 authorizations
-- by payer and nonce, payment identifiers), shared by every node. Rows lapse at lapses_at; a lapsed
-- row may be taken again or deleted. Written only by PostgresClaimStore.
CREATE TABLE ${schema}.payment_claims (
    key            text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 300),
    digest         text NOT NULL CHECK (length(digest) <= 128),
    state          text NOT NULL CHECK (state IN ('in_progress', 'spent', 'unknown')),
    status         int,
    header_names   text[],
    header_values  text[],
    body           bytea,
    body_retained  boolean,
    lapses_at      timestamptz NOT NULL
);
CREATE INDEX payment_claims_lapses ON ${schema}.payment_claims (lapses_at);
