package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testkit.KeyContract;
import java.time.Instant;
import java.util.Set;

/** The in-memory ledger keeps keys as the key contract says. */
class InMemoryKeyContractTest extends KeyContract {

    private final MutableClock clock = new MutableClock();
    private InMemoryLedger memory;

    @Override
    protected Object createLedger() {
        return memory = InMemoryLedger.builder().clock(clock).build();
    }

    @Override
    protected void openAccount(String id) {
        memory.openAccount(id, Money.credits("10"), Set.of());
    }

    @Override
    protected Instant aboutNow() {
        return clock.instant();
    }
}
