-- Rate-limit buckets for Tollgate (Bucket4j's PostgreSQL ProxyManager, select-for-update flavour).
-- ${table} is replaced by the configured table name. expires_at is in epoch milliseconds: a bucket
-- untouched until then is full again and may be deleted (PostgresRateLimitStore does so on a schedule).
CREATE TABLE IF NOT EXISTS ${table} (
    id          text PRIMARY KEY,
    state       bytea,
    expires_at  bigint
);
CREATE INDEX IF NOT EXISTS ${index} ON ${table} (expires_at);
