package dev.tollgate.internal;

import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Settlement;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Retries {@link Ledger#release} in the background for holds whose release (or commit) failed
 * because the ledger was unavailable, so their money goes back as soon as the ledger answers again
 * instead of when the hold expires, and a commit of unknown outcome is undone for a client that was
 * refused. Backs off from 1 s to 60 s and gives up after an hour (the ledger's own expiry remains);
 * at most {@value #MAX_PENDING} holds wait at once. Thread-safe.
 */
final class ReleaseRetrier implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");
    static final int MAX_PENDING = 100_000;
    private static final long GIVE_UP_NANOS = Duration.ofHours(1).toNanos();

    private final Ledger ledger;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile ScheduledExecutorService executor;
    private volatile boolean closed;

    ReleaseRetrier(Ledger ledger) {
        this.ledger = ledger;
    }

    /** Schedules releases of a hold until one succeeds. */
    void retry(Hold hold) {
        if (closed) {
            LOG.log(System.Logger.Level.WARNING, "Hold {0} left to expire: Tollgate is stopping", hold.id());
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "Hold {0} left to expire: {1} releases already wait for the ledger",
                    hold.id(), MAX_PENDING);
            return;
        }
        schedule(hold, 1_000, System.nanoTime());
    }

    /** {@return how many holds wait for a successful release} */
    int pending() {
        return pending.get();
    }

    private void schedule(Hold hold, long delayMillis, long since) {
        executor().schedule(() -> attempt(hold, delayMillis, since), delayMillis, TimeUnit.MILLISECONDS);
    }

    private void attempt(Hold hold, long delayMillis, long since) {
        try {
            Settlement s = ledger.release(hold);
            pending.decrementAndGet();
            LOG.log(System.Logger.Level.INFO, "Hold {0} released after the ledger came back: {1}", hold.id(), s);
        } catch (RuntimeException e) {
            if (closed || System.nanoTime() - since > GIVE_UP_NANOS) {
                pending.decrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "Gave up releasing hold {0}; the ledger''s expiry will return its"
                        + " money: {1}", hold.id(), e.toString());
                return;
            }
            schedule(hold, Math.min(delayMillis * 2, 60_000), since);
        }
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                e = executor;
                if (e == null) {
                    ScheduledThreadPoolExecutor x = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread t = new Thread(r, "tollgate-release-retry");
                        t.setDaemon(true);
                        return t;
                    });
                    x.setRemoveOnCancelPolicy(true);
                    executor = e = x;
                }
            }
        }
        return e;
    }

    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
            if (pending.get() > 0) {
                LOG.log(System.Logger.Level.WARNING, "{0} hold(s) still wait for release; the ledger''s expiry will"
                        + " return their money", pending.get());
            }
        }
    }
}
