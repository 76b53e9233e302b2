package dev.tollgate.usage.alerts;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Fires once per downward crossing of a threshold, per key: {@link #observe} returns {@code true} the first
 * time a key's value is at or below its threshold, {@code false} while it stays there, and the key is re-armed
 * as soon as a value above the threshold is observed. A key first observed below its threshold fires at once.
 * The threshold comes with each observation, so it may differ per key and change over time.
 *
 * <p>The generic half of every "ran low" alert: balances ({@link BalanceAlerts}), and later remaining
 * allowances with a threshold of zero ("used up"). An observation without a threshold forgets the key.
 *
 * <p>Memory is bounded: only keys currently below their threshold are remembered, at most {@code maxKeys}
 * of them; past that the longest-remembered one is forgotten, and it may fire once more while still below.
 * Thread-safe (one short lock per observation).
 *
 * @param <K> the key, such as an account id
 */
public final class ThresholdWatch<K> {

    private final Map<K, Boolean> below; // guarded by this; the keys that fired and are not re-armed

    /**
     * @param maxKeys the most keys remembered below their threshold, 1 to 10,000,000
     */
    public ThresholdWatch(int maxKeys) {
        if (maxKeys < 1 || maxKeys > 10_000_000) {
            throw new IllegalArgumentException("maxKeys must be 1 to 10000000: " + maxKeys);
        }
        this.below = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Boolean> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /**
     * Observes a value.
     *
     * @param key the key
     * @param value its current value; may be {@code null} when the threshold is
     * @param threshold its threshold, or {@code null} when the key is not watched
     * @return whether this observation is a crossing: the alert to send, once
     */
    public boolean observe(K key, BigDecimal value, BigDecimal threshold) {
        Objects.requireNonNull(key, "key");
        if (threshold != null) {
            Objects.requireNonNull(value, "value");
        }
        synchronized (this) {
            if (threshold == null || value.compareTo(threshold) > 0) {
                below.remove(key); // re-armed
                return false;
            }
            return below.put(key, Boolean.TRUE) == null;
        }
    }

    /**
     * {@return whether a key fired and has not been re-armed}
     *
     * @param key the key
     */
    public synchronized boolean isBelow(K key) {
        return below.containsKey(key);
    }
}
