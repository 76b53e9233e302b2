package dev.tollgate.spi;

import dev.tollgate.Money;
import java.util.Objects;
import java.util.Set;

/**
 * A snapshot of a payer's account.
 *
 * @param id the account id
 * @param balance the available balance: what can still be held (money under open holds is not
 *     included)
 * @param entitlements the entitlements the account holds
 */
public record Account(String id, Money balance, Set<String> entitlements) {

    // Validates and copies.
    public Account {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(balance, "balance");
        entitlements = Set.copyOf(entitlements);
    }
}
