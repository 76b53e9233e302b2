package dev.tollgate.internal;

import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Settlement;
import dev.tollgate.spi.events.TollgateEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Settles holds in the background that the ledger could not settle when the request ended, because
 * it was unavailable: a release (the client was refused; its money goes back as soon as the ledger
 * answers, instead of when the hold expires, and a commit of unknown outcome is undone), or a commit
 * (the response had already left; the charge is made when the ledger answers). Retries with a
 * back-off from 1 s to 60 s for as long as the application runs; at most {@value #MAX_PENDING}
 * holds wait at once. On {@link #close()} each waiting hold gets one last attempt. Retries run on the
 * configured {@link TollgateConfig#scheduler() scheduler} (else on a daemon thread of its own) and the
 * shutdown deadline reads the configured {@link TollgateConfig#clock() clock}, so tests move time
 * instead of waiting for it. Thread-safe.
 */
final class SettlementRetrier implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");
    static final int MAX_PENDING = 100_000;

    private final Ledger ledger;
    private final Clock clock;
    /** The application's scheduler, which this retrier never shuts down; {@code null}: its own thread. */
    private final ScheduledExecutorService given;
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentHashMap<String, Task> waiting = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService executor;
    private volatile boolean closed;

    /** Who hears each background attempt; {@code null} when nobody listens. */
    private final EventSink events;

    SettlementRetrier(Ledger ledger, TollgateConfig config) {
        this(ledger, config, null);
    }

    SettlementRetrier(Ledger ledger, TollgateConfig config, EventSink events) {
        this.ledger = ledger;
        this.events = events;
        this.clock = config.clock() != null ? config.clock() : Clock.systemUTC();
        this.given = config.scheduler();
        this.executor = given;
    }

    private record Task(Hold hold, boolean commit, Money actual, RecordedResponse response) {
    }

    /** Schedules releases of a hold until one succeeds. */
    void release(Hold hold) {
        submit(new Task(hold, false, null, null));
    }

    /** Schedules commits of a hold until one succeeds. */
    void commit(Hold hold, Money actual, RecordedResponse response) {
        submit(new Task(hold, true, actual, response));
    }

    /** {@return how many holds wait for the ledger} */
    int pending() {
        return pending.get();
    }

    private void submit(Task task) {
        if (closed) {
            LOG.log(System.Logger.Level.ERROR, "Hold {0} left unsettled: Tollgate is stopping", task.hold.id());
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "Hold {0} left unsettled: {1} holds already wait for the ledger",
                    task.hold.id(), MAX_PENDING);
            return;
        }
        waiting.put(task.hold.id(), task);
        schedule(task, 1_000);
    }

    private void schedule(Task task, long delayMillis) {
        try {
            executor().schedule(() -> attempt(task, delayMillis), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // close() raced with us; close() gives every waiting hold a last attempt.
        }
    }

    private void attempt(Task task, long delayMillis) {
        if (closed || !waiting.containsKey(task.hold.id())) {
            return;
        }
        if (tryOnce(task)) {
            return;
        }
        schedule(task, Math.min(delayMillis * 2, 60_000));
    }

    private boolean tryOnce(Task task) {
        boolean succeeded = false;
        try {
            Settlement s = !task.commit ? ledger.release(task.hold) : task.actual == null
                    ? ledger.commit(task.hold, task.response) : ledger.commit(task.hold, task.actual, task.response);
            if (waiting.remove(task.hold.id(), task)) {
                pending.decrementAndGet();
            }
            if (task.commit && s != Settlement.COMMITTED) {
                LOG.log(System.Logger.Level.ERROR, "Hold {0} was {1} when its delayed commit reached the ledger; the"
                        + " response was delivered uncharged", task.hold.id(), s);
            } else {
                LOG.log(System.Logger.Level.INFO, "Hold {0} {1} after the ledger came back: {2}", task.hold.id(),
                        task.commit ? "committed" : "released", s);
            }
            succeeded = true;
            return true;
        } catch (RuntimeException e) {
            return false;
        } finally {
            if (events != null) {
                events.emit(new TollgateEvent.SettlementRetried(events.now(), task.hold.id(), task.hold.account(),
                        task.commit ? TollgateEvent.Operation.COMMIT : TollgateEvent.Operation.RELEASE, succeeded));
            }
        }
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                e = executor;
                if (e == null) {
                    ScheduledThreadPoolExecutor x = new ScheduledThreadPoolExecutor(1, r -> {
                        Thread t = new Thread(r, "tollgate-settlement-retry");
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
        if (e != null && e != given) {
            e.shutdownNow();
        } // tasks left on a given scheduler find the retrier closed and do nothing
        List<Task> last = new ArrayList<>(waiting.values());
        long deadline = clock.millis() + TimeUnit.SECONDS.toMillis(5);
        for (Task t : last) {
            if (clock.millis() > deadline || !tryOnce(t)) {
                LOG.log(System.Logger.Level.ERROR, "Hold {0} is still unsettled at shutdown ({1} pending); {2}",
                        t.hold.id(), t.commit ? "commit" : "release", t.commit
                                ? "the response was delivered and the hold will expire uncharged"
                                : "an open hold will expire; a commit of unknown outcome stays charged");
            }
        }
    }
}
