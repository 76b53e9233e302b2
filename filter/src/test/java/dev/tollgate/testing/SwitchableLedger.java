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
    public final AtomicInteger reserves = new AtomicInteger();
    public final AtomicInteger commits = new AtomicInteger();
    public final AtomicInteger releases = new AtomicInteger();

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
        if (failCommit) {
            throw new LedgerUnavailableException("down (test)");
        }
        return delegate.commit(hold, response);
    }

    @Override
    public Settlement release(Hold hold) {
        releases.incrementAndGet();
        if (failRelease) {
            throw new LedgerUnavailableException("down (test)");
        }
        return delegate.release(hold);
    }

    @Override
    public Optional<Account> account(String accountId) {
        if (failAccount) {
            throw new LedgerUnavailableException("down (test)");
        }
        return delegate.account(accountId);
    }
}
