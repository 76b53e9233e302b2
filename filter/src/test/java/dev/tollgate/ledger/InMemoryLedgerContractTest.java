package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Ledger;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testkit.LedgerContract;
import java.time.Duration;
import java.util.Set;

/** The built-in in-memory ledger passes the ledger contract. */
class InMemoryLedgerContractTest extends LedgerContract {

    private final MutableClock clock = new MutableClock();
    private InMemoryLedger memory;

    @Override
    protected Ledger createLedger() {
        memory = InMemoryLedger.builder().clock(clock).holdTimeout(Duration.ofMinutes(10)).build();
        return memory;
    }

    @Override
    protected void openAccount(String id, Money balance, Set<String> entitlements) {
        memory.openAccount(id, balance, entitlements);
    }

    @Override
    protected void makeHoldsOverdue() {
        clock.advance(Duration.ofMinutes(11));
    }

    @Override
    protected int expireOverdueHolds() {
        return memory.expireOverdueHolds();
    }
}
