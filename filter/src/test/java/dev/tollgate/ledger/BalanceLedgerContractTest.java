package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Ledger;
import dev.tollgate.testing.MapBalances;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testkit.LedgerContract;
import java.time.Duration;
import java.util.Set;

/** A {@link BalanceLedger} with its default in-memory store, over balances in a map, passes the ledger contract. */
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
        balances.put(id, balance, entitlements);
    }

    @Override
    protected void makeHoldsOverdue() {
        clock.advance(Duration.ofMinutes(11));
    }

    @Override
    protected int expireOverdueHolds() {
        return balanceLedger.expireOverdueHolds();
    }
}
