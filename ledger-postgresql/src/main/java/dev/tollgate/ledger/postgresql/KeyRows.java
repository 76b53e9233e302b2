package dev.tollgate.ledger.postgresql;

import dev.tollgate.ledger.AccountLimits;
import dev.tollgate.ledger.AdminNotes;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeySecrets;
import dev.tollgate.spi.ApiKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code keys} table: a key's hash (the primary key, so a look-up is one index probe), its id,
 * account, display prefix, name and lifecycle. The key itself is never stored. Times are the
 * database's ({@code now()}), so every node agrees; a look-up writes the last use only when the one
 * recorded is a minute old or older. Input is checked before the database is touched.
 *
 * <p>Thread-safe.
 */
final class KeyRows {

    private static final String COLUMNS = "hash, id, account_id, display_prefix, name, created_at, last_used_at,"
            + " expires_at, revoked_at";

    private final LedgerDatabase db;
    private final String keys;
    private final String accounts;

    KeyRows(LedgerDatabase db) {
        this.db = db;
        this.keys = db.schema + ".keys";
        this.accounts = db.schema + ".accounts";
    }

    Optional<ApiKey> find(String hash) {
        if (hash == null || hash.length() != 64 || !hash.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            return Optional.empty();
        }
        return db.autoCommit("findKey", c -> {
            // Touch the last use only when it is a minute old: at most one write per key and minute.
            try (PreparedStatement ps = db.prepare(c, "UPDATE " + keys + " SET last_used_at = now() WHERE hash = ?"
                    + " AND (last_used_at IS NULL OR last_used_at <= now() - interval '1 minute') RETURNING " + COLUMNS)) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return Optional.of(row(rs));
                    }
                }
            }
            return select(c, "hash", hash);
        });
    }

    IssuedKey issue(String accountId, String name, Instant expiresAt, boolean live, String actor) {
        LedgerDatabase.requireActorOrNone(actor);
        checkTerms(accountId, name);
        String secret = KeySecrets.generate(live);
        return new IssuedKey(db.inTransaction("issueKey", c -> {
            ApiKey k = insert(c, accountId, secret, name, expiresAt);
            db.note(c, accountId, actor, AdminNotes.issuedKey(k));
            return k;
        }), secret);
    }

    ApiKey importKey(String accountId, String key, String name, Instant expiresAt, String actor) {
        LedgerDatabase.requireActorOrNone(actor);
        checkTerms(accountId, name);
        KeySecrets.requireImportable(key);
        return db.inTransaction("importKey", c -> {
            ApiKey k = insert(c, accountId, key, name, expiresAt);
            db.note(c, accountId, actor, AdminNotes.importedKey(k));
            return k;
        });
    }

    ApiKey revoke(String keyId, String actor) {
        Objects.requireNonNull(keyId, "keyId");
        LedgerDatabase.requireActorOrNone(actor);
        return db.inTransaction("revokeKey", c -> {
            ApiKey k = null;
            try (PreparedStatement ps = db.prepare(c, "UPDATE " + keys + " SET revoked_at = now() WHERE id = ?"
                    + " AND (revoked_at IS NULL OR revoked_at > now()) RETURNING " + COLUMNS)) {
                ps.setString(1, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        k = row(rs);
                    }
                }
            }
            if (k == null) {
                k = select(c, "id", keyId).orElseThrow(() -> noSuchKey(keyId));
            }
            db.note(c, k.accountId(), actor, AdminNotes.revokedKey(k));
            return k;
        });
    }

    IssuedKey rotate(String keyId, Duration grace, boolean live, String actor) {
        LedgerDatabase.requireActorOrNone(actor);
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
        String secret = KeySecrets.generate(live);
        ApiKey fresh = db.inTransaction("rotateKey", c -> {
            ApiKey old;
            boolean usable;
            try (PreparedStatement ps = db.prepare(c, "SELECT " + COLUMNS + ", (revoked_at IS NULL OR revoked_at"
                    + " > now()) AND (expires_at IS NULL OR expires_at > now()) FROM " + keys + " WHERE id = ? FOR UPDATE")) {
                ps.setString(1, keyId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw noSuchKey(keyId);
                    }
                    old = row(rs);
                    usable = rs.getBoolean(10);
                }
            }
            if (!usable) {
                throw new IllegalArgumentException("key " + keyId + " is revoked or expired; issue a new one");
            }
            ApiKey made = insert(c, old.accountId(), secret, old.name(), old.expiresAt());
            try (PreparedStatement ps = db.prepare(c, "UPDATE " + keys + " SET revoked_at = now() + ?::interval"
                    + " WHERE id = ? AND (revoked_at IS NULL OR revoked_at > now() + ?::interval)")) {
                ps.setString(1, LedgerDatabase.interval(grace));
                ps.setString(2, keyId);
                ps.setString(3, LedgerDatabase.interval(grace));
                ps.executeUpdate();
            }
            db.note(c, old.accountId(), actor, AdminNotes.rotatedKey(old, made, grace));
            return made;
        });
        return new IssuedKey(fresh, secret);
    }

    Optional<ApiKey> key(String keyId) {
        if (keyId == null) {
            return Optional.empty();
        }
        return db.autoCommit("key", c -> select(c, "id", keyId));
    }

    List<ApiKey> list(String accountId) {
        AccountLimits.requireValidId(accountId);
        return db.inTransaction("keys", c -> {
            requireAccount(c, accountId);
            List<ApiKey> out = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, "SELECT " + COLUMNS + " FROM " + keys
                    + " WHERE account_id = ? ORDER BY created_at, id")) {
                ps.setString(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
    }

    private ApiKey insert(Connection c, String accountId, String key, String name, Instant expiresAt)
            throws SQLException {
        requireAccount(c, accountId);
        String hash = ApiKey.hash(key);
        try (PreparedStatement ps = db.prepare(c, "INSERT INTO " + keys + " (hash, id, account_id, display_prefix,"
                + " name, expires_at) SELECT ?, ?, ?, ?, ?, ? WHERE ?::timestamptz IS NULL OR ?::timestamptz > now()"
                + " ON CONFLICT DO NOTHING RETURNING " + COLUMNS)) {
            OffsetDateTime expiry = expiresAt == null ? null : OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC);
            ps.setString(1, hash);
            ps.setString(2, ApiKey.idOf(hash));
            ps.setString(3, accountId);
            ps.setString(4, KeySecrets.displayPrefix(key));
            ps.setString(5, name == null ? "" : name);
            ps.setObject(6, expiry);
            ps.setObject(7, expiry);
            ps.setObject(8, expiry);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return row(rs);
                }
            }
        }
        if (expiresAt != null && select(c, "hash", hash).isEmpty()) {
            throw new IllegalArgumentException("a key's expiry must be in the future");
        }
        throw new IllegalArgumentException("this key already belongs to an account");
    }

    private Optional<ApiKey> select(Connection c, String column, String value) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, "SELECT " + COLUMNS + " FROM " + keys + " WHERE " + column + " = ?")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private void requireAccount(Connection c, String accountId) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, "SELECT 1 FROM " + accounts + " WHERE id = ?")) {
            ps.setString(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no such account: " + accountId);
                }
            }
        }
    }

    private static void checkTerms(String accountId, String name) {
        AccountLimits.requireValidId(accountId);
        if (name != null && (name.length() > ApiKey.MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException("a key name must be at most " + ApiKey.MAX_NAME_LENGTH
                    + " characters without control characters");
        }
    }

    private static IllegalArgumentException noSuchKey(String keyId) {
        String cut = keyId.length() > 40 ? keyId.substring(0, 40) + "…" : keyId;
        return new IllegalArgumentException("no such key: \"" + cut.replaceAll("\\p{Cntrl}", "?") + "\"");
    }

    private static ApiKey row(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString(2), rs.getString(3), rs.getString(1), rs.getString(4), rs.getString(5),
                instant(rs, 6), instant(rs, 7), instant(rs, 8), instant(rs, 9));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
