package dev.tollgate.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Balances;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testing.MapBalances;
import dev.tollgate.testing.MutableClock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a {@link BalanceLedger} does when the application's balances fail: fail closed, credit back exactly once. */
class BalanceLedgerTest {

    private final MutableClock clock = new MutableClock();
    private final MapBalances map = new MapBalances();
    private final FlakyBalances balances = new FlakyBalances(map);
    private final BalanceLedger ledger = BalanceLedger.builder(balances).clock(clock).build();

    @Test
    void aDebitThatFailsHoldsNothingAndFreesTheKey() {
        map.put("acct", Money.credits("10"), Set.of());
        balances.failDebits = true;
        assertThrows(LedgerUnavailableException.class, () -> ledger.reserve(keyed("k1")));
        assertEquals(0, ledger.openHoldCount(), "no hold left behind");
        balances.failDebits = false;
        assertInstanceOf(Reservation.Authorized.class, ledger.reserve(keyed("k1")), "the key is free for a retry");
        assertEquals(Money.credits("7"), balance());
    }

    @Test
    void aCreditThatFailsLeavesTheHoldOpenAndALaterReleaseCreditsOnce() {
        map.put("acct", Money.credits("10"), Set.of());
        Hold hold = ((Reservation.Authorized) ledger.reserve(keyed("k2"))).hold();
        balances.failCredits = true;
        assertThrows(LedgerUnavailableException.class, () -> ledger.release(hold));
        assertEquals(Money.credits("7"), balance(), "nothing came back yet");
        assertEquals(Reservation.ConflictKind.IN_PROGRESS,
                assertInstanceOf(Reservation.Conflict.class, ledger.reserve(keyed("k2"))).kind(),
                "the key stays taken while its money is out");

        balances.failCredits = false;
        assertEquals(Settlement.RELEASED, ledger.release(hold));
        assertEquals(Settlement.RELEASED, ledger.release(hold));
        assertEquals(Money.credits("10"), balance(), "credited back once");
        assertEquals(1, balances.credits.get());
    }

    @Test
    void anExpiryWhoseCreditFailsIsRetriedByTheNextSweepAndNotChargedByALateCommit() {
        map.put("acct", Money.credits("10"), Set.of());
        Hold hold = ((Reservation.Authorized) ledger.reserve(keyed("k3"))).hold();
        clock.advance(Duration.ofMinutes(11));
        balances.failCredits = true;
        assertEquals(0, ledger.expireOverdueHolds(), "the credit failed: nothing expired");
        assertThrows(LedgerUnavailableException.class, () -> ledger.commit(hold, null),
                "a late commit never charges an overdue hold; it expires it, and that failed");
        balances.failCredits = false;
        assertEquals(1, ledger.expireOverdueHolds());
        assertEquals(Settlement.EXPIRED, ledger.commit(hold, null));
        assertEquals(Money.credits("10"), balance());
        assertEquals(1, balances.credits.get(), "credited back once");
    }

    @Test
    void aStoreThatFailsAfterTheDebitGetsTheDebitCreditedBack() {
        map.put("acct", Money.credits("10"), Set.of());
        HoldStore memory = new MemoryHoldStore(new ReplayRecords(64L << 20, 0, 1_000_000, 32L << 20), 1000);
        HoldStore failing = (HoldStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HoldStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("opened")) {
                        throw new LedgerUnavailableException("store down after the debit (test)");
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        BalanceLedger withFailingStore = BalanceLedger.builder(balances).clock(clock).store(failing).build();
        assertThrows(LedgerUnavailableException.class, () -> withFailingStore.reserve(keyed("k4")));
        assertEquals(Money.credits("10"), balance(), "the refused client paid nothing");
        assertEquals(0, memory.openHoldCount(), "and no hold is left to expire and credit a second time");
    }

    private Money balance() {
        return ledger.account("acct").orElseThrow().balance();
    }

    private static Charge keyed(String key) {
        return new Charge("acct", Money.credits("3"), null, "POST /x", new Idempotency(key, "fp", true));
    }

    /** Balances whose debits or credits can be made to fail, counting the credits that took effect. */
    private static final class FlakyBalances implements Balances {
        private final Balances delegate;
        volatile boolean failDebits;
        volatile boolean failCredits;
        final AtomicInteger credits = new AtomicInteger();

        FlakyBalances(Balances delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Account> account(String id) {
            return delegate.account(id);
        }

        @Override
        public boolean debit(String id, Money amount, String reference) {
            if (failDebits) {
                throw new LedgerUnavailableException("debit failed (test)");
            }
            return delegate.debit(id, amount, reference);
        }

        @Override
        public void credit(String id, Money amount, String reference) {
            if (failCredits) {
                throw new IllegalStateException("credit failed (test)");
            }
            delegate.credit(id, amount, reference);
            credits.incrementAndGet();
        }
    }
}
