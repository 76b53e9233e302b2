package dev.tollgate.testing;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Balances;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The simplest thread-safe {@link Balances}: accounts in a map, each change one atomic compute(). */
public final class MapBalances implements Balances {

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    /** Opens (or replaces) an account. */
    public void put(String id, Money balance, Set<String> entitlements) {
        accounts.put(id, new Account(id, balance, entitlements));
    }

    @Override
    public Optional<Account> account(String id) {
        return Optional.ofNullable(accounts.get(id));
    }

    @Override
    public boolean debit(String id, Money amount, String reference) {
        boolean[] taken = new boolean[1];
        accounts.computeIfPresent(id, (k, a) -> {
            if (!a.balance().covers(amount)) {
                return a;
            }
            taken[0] = true;
            return new Account(k, a.balance().minus(amount), a.entitlements());
        });
        return taken[0];
    }

    @Override
    public void credit(String id, Money amount, String reference) {
        accounts.computeIfPresent(id, (k, a) -> new Account(k, a.balance().plus(amount), a.entitlements()));
    }
}
