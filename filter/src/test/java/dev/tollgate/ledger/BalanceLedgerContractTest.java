package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Balances;
import dev.tollgate.spi.Ledger;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testkit.LedgerContract;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link BalanceLedger} over the simplest thread-safe {@link Balances}, a map, passes the ledger contract. */
class BalanceLedgerContractTest extends LedgerContract {

    private final MutableClock clock = new MutableClock();
    private final MapBalances balances = new MapBalances();
    private BalanceLedger balanceLedger;

    @Override
    protected Ledger createLedger() {
        balanceLedger = BalanceLedger.builder(balances).clock(clock).holdTimeout(Duration.ofMinutes(10)).build();
        return balanceLedger;
    }

    @Override
    protected void openAccount(String id, Money balance, Set<String> entitlements) {
        balances.accounts.put(id, new Account(id, balance, entitlements));
    }

    @Override
    protected void makeHoldsOverdue() {
        clock.advance(Duration.ofMinutes(11));
    }

    @Override
    protected int expireOverdueHolds() {
        return balanceLedger.expireOverdueHolds();
    }

    /** Accounts in a map; each change is one atomic compute(). */
    static final class MapBalances implements Balances {
        final Map<String, Account> accounts = new ConcurrentHashMap<>();

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
}
