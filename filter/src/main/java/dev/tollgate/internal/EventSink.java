package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateListener;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Where the engine's decision points send events: every registered {@link TollgateListener}, in
 * order, each call guarded so that a listener that throws never breaks the request (logged at most
 * once a minute per listener class). The engine holds {@code null} instead of a sink when no
 * listener is registered, so a request without listeners pays one field check per decision point
 * and builds no event. Immutable and thread-safe.
 */
public final class EventSink {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** When each listener class last logged a failure; bounded by the number of listener classes. */
    private static final Map<Class<?>, long[]> LAST_LOG = new ConcurrentHashMap<>();

    private final TollgateListener[] listeners;
    private final Clock clock;

    private EventSink(TollgateListener[] listeners, Clock clock) {
        this.listeners = listeners;
        this.clock = clock;
    }

    /**
     * A sink for these listeners.
     *
     * @param listeners the listeners, in order
     * @param clock Tollgate's clock, or {@code null} for the system clock
     * @return the sink, or {@code null} when there is no listener (the engine then builds no event)
     */
    public static EventSink of(List<? extends TollgateListener> listeners, Clock clock) {
        if (listeners.isEmpty()) {
            return null;
        }
        return new EventSink(listeners.toArray(new TollgateListener[0]), clock != null ? clock : Clock.systemUTC());
    }

    /** {@return the listeners' adapter for a deprecated rate-limit listener} */
    @SuppressWarnings("deprecation")
    public static TollgateListener adapt(RateLimitListener listener) {
        return new RateLimitListenerAdapter(listener);
    }

    /** {@return now, by Tollgate's clock} */
    Instant now() {
        return clock.instant();
    }

    /**
     * Tells every listener; a listener's failure is logged and does not stop the others.
     *
     * @param event the event
     */
    void emit(TollgateEvent event) {
        for (TollgateListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException | LinkageError e) {
                failed(l, e);
            }
        }
    }

    void passed(Policy p) {
        emit(new TollgateEvent.Passed(now(), p.servletName(), p.method()));
    }

    void passed(String servlet, String method) {
        emit(new TollgateEvent.Passed(now(), servlet, method));
    }

    void refused(Policy p, Denial denial) {
        if (denial.kind() == Denial.Kind.RATE_LIMITED) {
            return; // the rate limiter reported it as Limited
        }
        emit(new TollgateEvent.Refused(now(), p.servletName(), p.method(), denial.kind()));
    }

    void ledgerCall(String scheme, TollgateEvent.Operation operation, long startNanos, boolean failed) {
        emit(new TollgateEvent.LedgerCall(now(), scheme, operation, System.nanoTime() - startNanos, failed));
    }

    void ledgerFailed(String scheme, TollgateEvent.Operation operation, Throwable cause) {
        emit(new TollgateEvent.LedgerFailed(now(), scheme, operation, cause));
    }

    void released(Policy p, String scheme, Hold hold, TollgateEvent.Released.Reason reason, String detail) {
        emit(new TollgateEvent.Released(now(), p.servletName(), p.method(), scheme, hold.account(), hold.amount(),
                hold.id(), reason, detail));
    }

    /**
     * Logs a listener's failure, at most once a minute per listener class.
     *
     * @param listener the listener
     * @param e what it threw
     */
    public static void failed(Object listener, Throwable e) {
        long now = System.nanoTime();
        long[] last = LAST_LOG.computeIfAbsent(listener.getClass(), c -> new long[] {now - LOG_EVERY_NANOS - 1});
        boolean log;
        synchronized (last) {
            log = now - last[0] > LOG_EVERY_NANOS;
            if (log) {
                last[0] = now;
            }
        }
        if (log) {
            LOG.log(System.Logger.Level.WARNING, "Event listener " + listener.getClass().getName() + " failed (the"
                    + " request went on; logged at most once a minute)", e);
        }
    }

    /** Tells a deprecated {@link RateLimitListener} the events it knows. */
    @SuppressWarnings("deprecation")
    private record RateLimitListenerAdapter(RateLimitListener listener) implements TollgateListener {
        @Override
        public void onEvent(TollgateEvent event) {
            if (event instanceof TollgateEvent.Limited l) {
                listener.limitExceeded(new RateLimitListener.Exceeded(l.endpoint(), l.method(), l.limits(), false,
                        l.retryAfter()));
            } else if (event instanceof TollgateEvent.ShadowLimited s) {
                listener.limitExceeded(new RateLimitListener.Exceeded(s.endpoint(), s.method(), s.limits(), true,
                        s.retryAfter()));
            } else if (event instanceof TollgateEvent.StoreFailed f) {
                listener.storeFailed(f.store(), f.applied(), f.cause());
            }
        }
    }
}
