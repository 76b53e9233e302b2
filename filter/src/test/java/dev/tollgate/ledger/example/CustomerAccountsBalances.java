package dev.tollgate.ledger.example;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Balances;
import dev.tollgate.spi.LedgerUnavailableException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Balances kept in an existing table {@code customer_accounts(api_key, credits)}: the API key is
 * the account id, {@code credits} the balance. Thread-safe: every call takes its own connection
 * from the pool and runs one statement, which PostgreSQL applies atomically.
 */
public final class CustomerAccountsBalances implements Balances {

    private final DataSource db;

    /** @param db the application's pool; its connections auto-commit */
    public CustomerAccountsBalances(DataSource db) {
        this.db = db;
    }

    @Override
    public Optional<Account> account(String apiKey) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT credits FROM customer_accounts WHERE api_key = ?")) {
            ps.setString(1, apiKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Account(apiKey, credits(rs.getBigDecimal(1)), Set.of()))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new LedgerUnavailableException("customer_accounts: look-up failed", e);
        }
    }

    @Override
    public boolean debit(String apiKey, Money amount, String reference) {
        // One conditional UPDATE: two concurrent debits can never both take the same credits.
        return update("UPDATE customer_accounts SET credits = credits - ? WHERE api_key = ? AND credits >= ?",
                amount.amount(), apiKey, amount.amount()) == 1;
    }

    @Override
    public void credit(String apiKey, Money amount, String reference) {
        update("UPDATE customer_accounts SET credits = credits + ? WHERE api_key = ?", amount.amount(), apiKey);
    }

    private int update(String sql, Object... parameters) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            ps.setQueryTimeout(5); // bounded: this runs on the request thread
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new LedgerUnavailableException("customer_accounts: update failed", e);
        }
    }

    private static Money credits(BigDecimal amount) {
        return new Money(amount, Money.DEFAULT_CURRENCY);
    }
}
