package dev.tollgate.usage.alerts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * Fires once per downward crossing of a threshold, per key, for one kind of alert: {@link #observe} returns
 * {@code true} the first time a key's value is at or below its threshold, {@code false} while it stays there,
 * and the key is re-armed as soon as a value above the threshold is observed. A key first observed below its
 * threshold fires at once. The threshold comes with each observation, so it may differ per key and change over
 * time.
 *
 * <p>The generic half of every "ran low" alert: balances ({@link BalanceAlerts}), and remaining allowances with
 * a threshold of zero ("used up"), keyed by account and period. The state lives in a {@link CrossingStore}: in
 * this JVM, or shared by the nodes of a cluster ({@link PostgresCrossingStore}), where a crossing fires on one node
 * only.
 * An observation without a threshold re-arms the key.
 *
 * <p>Thread-safe when its store is (the built-in ones are).
 */
public final class ThresholdWatch {

    private final String kind;
    private final CrossingStore store;

    /**
     * @param kind the kind of alert, the name under which the store keeps its crossings (such as its type)
     * @param store where crossings are kept
     */
    public ThresholdWatch(String kind, CrossingStore store) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Observes a value.
     *
     * @param key the key
     * @param value its current value; may be {@code null} when the threshold is
     * @param threshold its threshold, or {@code null} when the key is not watched
     * @param observedAt when the value was observed (read, not when this call is made)
     * @return whether this observation is a crossing: the alert to send, once
     * @throws CrossingStoreUnavailableException if the store cannot be reached; then no alert is sent, and the
     *     next observation of the key decides again
     */
    public boolean observe(String key, BigDecimal value, BigDecimal threshold, Instant observedAt) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(observedAt, "observedAt");
        if (threshold != null) {
            Objects.requireNonNull(value, "value");
        }
        if (threshold == null || value.compareTo(threshold) > 0) {
            store.rearm(kind, key, observedAt);
            return false;
        }
        return store.fire(kind, key, observedAt);
    }

    /**
     * Re-arms a key that fired although its alert could not be handed over (the delivery refused it), so that
     * the next observation at or below the threshold fires again.
     *
     * @param key the key
     * @param observedAt the time of the observation that fired
     * @throws CrossingStoreUnavailableException if the store cannot be reached
     */
    public void rearm(String key, Instant observedAt) {
        store.rearm(kind, Objects.requireNonNull(key, "key"), observedAt);
    }

    /** {@return the kind of alert} */
    public String kind() {
        return kind;
    }

    @Override
    public String toString() {
        return "ThresholdWatch[" + kind + ", " + store + "]";
    }
}
