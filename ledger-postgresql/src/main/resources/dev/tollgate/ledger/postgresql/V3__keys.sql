-- Tollgate ledger, keys apart from accounts (issue 12).
-- Before this script an account's id was the caller's API key, in accounts, entitlements, holds, entries and
-- idempotency_keys. This script gives every such account an id of its own, 'acct_' and 24 hex digits of the
-- SHA-256 of its old id, rewrites every reference to it, and keeps the old id only as a key's hash, so the
-- old key still authenticates and no table holds it in clear. Runs in the migration's transaction.

CREATE TABLE ${schema}.keys (
    hash            text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    id              text NOT NULL UNIQUE,
    account_id      text NOT NULL REFERENCES ${schema}.accounts (id),
    display_prefix  text NOT NULL,
    name            text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    expires_at      timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX keys_by_account ON ${schema}.keys (account_id, created_at, id);

CREATE TEMPORARY TABLE tollgate_renamed_accounts ON COMMIT DROP AS
    SELECT id AS old_id,
           encode(sha256(convert_to(id, 'UTF8')), 'hex') AS hash,
           'acct_' || substr(encode(sha256(convert_to(id, 'UTF8')), 'hex'), 1, 24) AS new_id,
           created_at
      FROM ${schema}.accounts;


ALTER TABLE ${schema}.entitlements DROP CONSTRAINT entitlements_account_id_fkey;
UPDATE ${schema}.accounts a SET id = r.new_id FROM tollgate_renamed_accounts r WHERE a.id = r.old_id;
UPDATE ${schema}.entitlements t SET account_id = r.new_id FROM tollgate_renamed_accounts r WHERE t.account_id = r.old_id;
ALTER TABLE ${schema}.entitlements ADD CONSTRAINT entitlements_account_id_fkey
    FOREIGN KEY (account_id) REFERENCES ${schema}.accounts (id) ON DELETE CASCADE;
UPDATE ${schema}.holds h SET account_id = r.new_id FROM tollgate_renamed_accounts r WHERE h.account_id = r.old_id;
UPDATE ${schema}.idempotency_keys k SET account_id = r.new_id FROM tollgate_renamed_accounts r
 WHERE k.account_id = r.old_id;
-- Entries are append-only; this one rewrite of the account column is the upgrade's, in its transaction.
ALTER TABLE ${schema}.entries DISABLE TRIGGER entries_append_only;
UPDATE ${schema}.entries e SET account_id = r.new_id FROM tollgate_renamed_accounts r WHERE e.account_id = r.old_id;
ALTER TABLE ${schema}.entries ENABLE TRIGGER entries_append_only;

INSERT INTO ${schema}.keys (hash, id, account_id, display_prefix, name, created_at)
    SELECT r.hash, 'key_' || substr(r.hash, 1, 20), r.new_id,
           left(r.old_id, CASE WHEN length(r.old_id) >= 16 THEN 4 ELSE 2 END), 'imported by the upgrade', r.created_at
      FROM tollgate_renamed_accounts r;
