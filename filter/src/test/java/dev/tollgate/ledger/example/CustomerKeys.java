package dev.tollgate.ledger.example;

import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.KeyLookup;
import dev.tollgate.spi.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * API keys kept as hashes in a table {@code customer_keys(key_hash, account_id, created_at,
 * revoked_at)}: {@code key_hash} is {@link ApiKey#hash} of the key, never the key itself. Thread-safe:
 * one statement per call on a connection of its own.
 */
public final class CustomerKeys implements KeyLookup {

    private final DataSource db;

    /** @param db the application's pool; its connections auto-commit */
    public CustomerKeys(DataSource db) {
        this.db = db;
    }

    @Override
    public Optional<ApiKey> findKey(String hash) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT account_id, created_at, revoked_at FROM customer_keys WHERE key_hash = ?")) {
            ps.setQueryTimeout(5);
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp revoked = rs.getTimestamp(3);
                return Optional.of(new ApiKey(ApiKey.idOf(hash), rs.getString(1), hash, "", null,
                        rs.getTimestamp(2).toInstant(), null, null, revoked == null ? null : revoked.toInstant()));
            }
        } catch (SQLException e) {
            throw new LedgerUnavailableException("customer_keys: look-up failed", e);
        }
    }
}
