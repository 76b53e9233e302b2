package dev.tollgate.internal;

import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.spi.events.TollgateEvent;

/**
 * The ledger side of a paid call: reserve, commit, release, and what to do when the ledger fails
 * (fail closed before the response; retry in the background after it). Thread-safe.
 */
final class Reservations implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private final Ledger ledger;
    private final SettlementRetrier retrier;
    /** Who hears ledger failures; {@code null} when nobody listens. */
    private final EventSink events;

    Reservations(Ledger ledger, TollgateConfig config) {
        this(ledger, config, null);
    }

    Reservations(Ledger ledger, TollgateConfig config, EventSink events) {
        this.ledger = ledger;
        this.events = events;
        this.retrier = new SettlementRetrier(ledger, config, events);
    }

    /**
     * Reserves a charge.
     *
     * @param charge the charge
     * @return the ledger's answer, or {@code null} when the ledger failed (logged)
     */
    Reservation reserve(Charge charge) {
        try {
            return ledger.reserve(charge);
        } catch (RuntimeException e) {
            ledgerFailed("reserve", e);
            return null;
        }
    }

    /** {@return whether the ledger can charge part of a hold (metered endpoints)} */
    boolean commitsActualAmounts() {
        return ledger.commitsActualAmounts();
    }

    /**
     * Commits the hold of a request whose endpoint gave a billable response.
     *
     * <p>When the commit fails and the response can still be replaced, the hold is released (per
     * the {@link Ledger} contract this undoes a commit that took effect, or reports it committed)
     * and the caller must answer with a 503 instead; when the response has left, the charge must
     * follow it and the commit is retried in the background.
     *
     * @param hold the hold
     * @param actual what a metered call costs, or {@code null} to charge the whole hold
     * @param recorded the response to keep for replays, or {@code null}
     * @param canReplace whether nothing of the response has reached the client yet
     * @return {@code null} to deliver the response; else the detail of the 503 that must replace it
     *     (or, when it cannot be replaced, that is logged)
     */
    /** {@return the ledger} */
    Ledger ledger() {
        return ledger;
    }

    String commit(Hold hold, Money actual, RecordedResponse recorded, boolean canReplace) {
        Settlement s;
        if (actual != null && actual.equals(hold.amount())) {
            actual = null; // all of it: the plain commit
        }
        try {
            s = actual == null ? ledger.commit(hold, recorded) : ledger.commit(hold, actual, recorded);
        } catch (RuntimeException e) {
            ledgerFailed("commit", e);
            if (!canReplace) {
                // The response has left: the charge must follow it. Commit is idempotent.
                LOG.log(System.Logger.Level.WARNING, "Hold {0}: commit failed after the response was sent;"
                        + " retrying it in the background", hold.id());
                retrier.commit(hold, actual, recorded);
                return null;
            }
            // The commit may have taken effect before the failure. Release: per the Ledger
            // contract this undoes such a commit, or reports COMMITTED if it cannot.
            Settlement after;
            try {
                after = ledger.release(hold);
            } catch (RuntimeException again) {
                ledgerFailed("release", again);
                retrier.release(hold);
                after = null;
            }
            if (after == Settlement.COMMITTED) {
                LOG.log(System.Logger.Level.INFO, "Hold {0}: the failed commit had taken effect; delivering",
                        hold.id());
                return null;
            }
            return Refusals.COMMIT_FAILED;
        }
        if (s != Settlement.COMMITTED) {
            // Most likely the request outlived its hold and the hold expired: not paid for.
            LOG.log(System.Logger.Level.WARNING, "Hold {0} was {1} when its request completed; not charged"
                    + " (raise the ledger''s hold timeout above the longest paid request)", hold.id(), s);
            return Refusals.HOLD_OUTLIVED;
        }
        return null;
    }

    /**
     * Releases a hold: the endpoint failed or gave a response that is not billable. A release the
     * ledger cannot take now is retried in the background.
     *
     * @param hold the hold
     * @param why for the debug log
     */
    void release(Hold hold, String why) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "releasing hold {0}: {1}", hold.id(), why);
        }
        try {
            ledger.release(hold);
        } catch (RuntimeException e) {
            ledgerFailed("release", e);
            retrier.release(hold);
        }
    }

    /** {@return how many holds wait for a release the ledger could not take yet} */
    int pendingReleases() {
        return retrier.pending();
    }

    /** Stops retrying; holds still waiting are left to the ledger's expiry. */
    @Override
    public void close() {
        retrier.close();
    }

    void ledgerFailed(String verb, RuntimeException e) {
        if (events != null) {
            events.ledgerFailed(dev.tollgate.spi.payment.PaymentScheme.ACCOUNT,
                    TollgateEvent.Operation.valueOf(verb.toUpperCase(java.util.Locale.ROOT)), e);
        }
        if (e instanceof LedgerUnavailableException) {
            LOG.log(System.Logger.Level.WARNING, "Ledger unavailable on " + verb + ": " + e.getMessage());
        } else {
            LOG.log(System.Logger.Level.ERROR, "Ledger " + ledger.getClass().getName() + " failed on " + verb
                    + " (treated as unavailable)", e);
        }
    }
}
