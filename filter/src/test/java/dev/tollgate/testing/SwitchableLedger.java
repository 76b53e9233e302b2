package dev.tollgate.testing;

import dev.tollgate.spi.Account;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Delegates to a real ledger, but can be made to fail per verb, and counts the calls. */
public final class SwitchableLedger implements Ledger {

    private final Ledger delegate;
    public volatile boolean failReserve;
    public volatile boolean failCommit;
    public volatile boolean failRelease;
    public volatile boolean failAccount;
    /** The commit takes effect, then the call fails: the outcome the caller sees is unknown. */
    public volatile boolean commitThenFail;
    public final AtomicInteger accountLookups = new AtomicInteger();
    public final AtomicInteger reserves = new AtomicInteger();
    public final AtomicInteger commits = new AtomicInteger();
    public final AtomicInteger releases = new AtomicInteger();
    private final java.util.concurrent.Semaphore settlements = new java.util.concurrent.Semaphore(0);

    public SwitchableLedger(Ledger delegate) {
        this.delegate = delegate;
    }

    @Override
    public Reservation reserve(Charge charge) {
        reserves.incrementAndGet();
        if (failReserve) {
            throw new LedgerUnavailableException("down (test)");
        }
        return delegate.reserve(charge);
    }

    @Override
    public Settlement commit(Hold hold, RecordedResponse response) {
        commits.incrementAndGet();
        try {
            if (failCommit) {
                throw new LedgerUnavailableException("down (test)");
            }
            Settlement s = delegate.commit(hold, response);
            if (commitThenFail) {
                throw new LedgerUnavailableException("connection lost after the commit (test)");
            }
            return s;
        } finally {
            settlements.release();
        }
    }

    @Override
    public Settlement release(Hold hold) {
        releases.incrementAndGet();
        try {
            if (failRelease) {
                throw new LedgerUnavailableException("down (test)");
            }
            return delegate.release(hold);
        } finally {
            settlements.release();
        }
    }

    /**
     * Waits until {@code n} commits or releases have happened (asynchronous requests settle after
     * their response is sent), failing after 10 seconds.
     */
    public void awaitSettlements(int n) throws InterruptedException {
        if (!settlements.tryAcquire(n, 10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("expected " + n + " settlements, saw " + settlements.availablePermits());
        }
    }

    @Override
    public Optional<Account> account(String accountId) {
        accountLookups.incrementAndGet();
        if (failAccount) {
            throw new LedgerUnavailableException("down (test)");
        }
        return delegate.account(accountId);
    }
}
