package dev.tollgate.spi.events;

/**
 * Hears about every decision Tollgate makes: see {@link TollgateEvent} for the events and the
 * order in which a request produces them. For metrics (the {@code tollgate-micrometer} module),
 * audit trails, usage export and alerts.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Called on request threads (and, for {@link TollgateEvent.SettlementRetried}, on the
 *       settlement-retry thread), concurrently: implementations must be thread-safe.</li>
 *   <li>Called synchronously, in the request's decision path, so an implementation must be fast
 *       and must not block. One that may block (a network call, a database write) is wrapped in
 *       {@link AsyncTollgateListener}, which hands events to a thread of its own through a bounded
 *       queue and drops (and counts) events when the queue is full, never the request.</li>
 *   <li>An exception thrown here is caught and logged (at most one line per listener every
 *       minute); the request goes on as if there were no listener. A listener never changes a
 *       decision.</li>
 *   <li>Events never carry a key or credential (see {@link TollgateEvent}).</li>
 * </ul>
 *
 * <h2>Registration</h2>
 * Listeners are chosen in the order every extension point follows (see {@link dev.tollgate.spi}),
 * except that each step may give several listeners, all of which hear every event: those given to
 * {@link dev.tollgate.TollgateConfig.Builder#eventListener}; else the servlet-context attribute
 * {@value dev.tollgate.Tollgate#EVENT_LISTENERS_ATTRIBUTE} (a listener or a collection of them);
 * else the classes named by the {@value dev.tollgate.EventSettings#LISTENERS} parameter
 * (comma-separated); else every CDI bean of this type; else every {@link java.util.ServiceLoader}
 * entry. A deprecated {@link dev.tollgate.spi.RateLimitListener}, found as before, hears its
 * events as well.
 *
 * <p>With no listener, Tollgate builds no event and reads no clock for them.
 */
@FunctionalInterface
public interface TollgateListener {

    /**
     * Hears one event.
     *
     * @param event what happened
     */
    void onEvent(TollgateEvent event);
}
