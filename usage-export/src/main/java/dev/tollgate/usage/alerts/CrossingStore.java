package dev.tollgate.usage.alerts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the state of threshold crossings is kept: per alert kind and key (such as an account id), whether the
 * alert of the current crossing has fired. {@link ThresholdWatch} asks {@link #fire} when a value is seen at or
 * below its threshold, and {@link #rearm} when it is seen above it. Every node that shares one store shares the
 * state, so a crossing fires on one node only, once, and a restarted node remembers it.
 *
 * <p>Each call carries the time its value was observed (read from the ledger), so that an observation made
 * before a crossing fired cannot re-arm it when it arrives late from a slower node: a re-arm takes effect only
 * when its observation is not older than the one that fired.
 *
 * <p>Implementations are thread-safe and atomic per (kind, key); calls may block but are bounded. Built in:
 * {@link #inMemory(int)} (one JVM) and {@link PostgresCrossingStore} (shared by the nodes of a cluster).
 */
public interface CrossingStore {

    /**
     * Marks the crossing of a key as fired, atomically: of all callers, on every node sharing this store, only
     * the first since the key was last re-armed gets {@code true}, and only it sends the alert.
     *
     * @param kind the alert kind, such as {@link BalanceAlerts#LOW_BALANCE}
     * @param key the key, such as an account id
     * @param observedAt when the value that is at or below its threshold was observed
     * @return {@code true} if this call fired the crossing; {@code false} if it had fired already
     * @throws CrossingStoreUnavailableException if the store cannot be reached; nothing is marked, so a later
     *     observation fires
     */
    boolean fire(String kind, String key, Instant observedAt);

    /**
     * Re-arms a key whose value was observed above its threshold, so that its next fall fires again; does
     * nothing when the key has not fired, or fired on an observation made after {@code observedAt}.
     *
     * @param kind the alert kind
     * @param key the key
     * @param observedAt when the value above the threshold was observed
     * @return whether a fired crossing was re-armed
     * @throws CrossingStoreUnavailableException if the store cannot be reached
     */
    boolean rearm(String kind, String key, Instant observedAt);

    /**
     * {@return a store in this JVM} Only fired crossings are remembered, at most {@code maxKeys} of them (all
     * kinds together); past that the longest-remembered one is forgotten, and it may fire once more while still
     * below. Its state is lost when the JVM stops (a restart alerts again for keys still low), and every node has
     * its own (each node alerts for the crossings it observes). Never throws
     * {@link CrossingStoreUnavailableException}.
     *
     * @param maxKeys the most fired crossings remembered, 1 to 10,000,000
     * @throws IllegalArgumentException if {@code maxKeys} is out of range
     */
    static CrossingStore inMemory(int maxKeys) {
        if (maxKeys < 1 || maxKeys > 10_000_000) {
            throw new IllegalArgumentException("maxKeys must be 1 to 10000000: " + maxKeys);
        }
        record Crossing(String kind, String key) {
        }
        Map<Crossing, Instant> fired = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Crossing, Instant> eldest) {
                return size() > maxKeys;
            }
        };
        return new CrossingStore() {
            @Override
            public boolean fire(String kind, String key, Instant observedAt) {
                Crossing c = new Crossing(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(key, "key"));
                Objects.requireNonNull(observedAt, "observedAt");
                synchronized (fired) {
                    return fired.putIfAbsent(c, observedAt) == null;
                }
            }

            @Override
            public boolean rearm(String kind, String key, Instant observedAt) {
                Crossing c = new Crossing(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(key, "key"));
                Objects.requireNonNull(observedAt, "observedAt");
                synchronized (fired) {
                    Instant at = fired.get(c);
                    return at != null && !at.isAfter(observedAt) && fired.remove(c) != null;
                }
            }

            @Override
            public String toString() {
                return "CrossingStore.inMemory(" + maxKeys + ")";
            }
        };
    }
}
