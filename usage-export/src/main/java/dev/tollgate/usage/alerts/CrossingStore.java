package dev.tollgate.usage.alerts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the state of threshold crossings is kept: per alert kind and key (such as an account id), whether the
 * key is armed (its next fall fires) or has fired, and the time of the last observation that changed that.
 * {@link ThresholdWatch} asks {@link #fire} when a value is seen at or below its threshold, and {@link #rearm}
 * when it is seen above it. Every node that shares one store shares the state, so a crossing fires on one node
 * only, once, and a restarted node remembers it.
 *
 * <p>Each call carries the time its value was observed (read from the ledger), so that observations arriving
 * late from a slower node, in any order, change nothing they should not: a fall fires only when it was observed
 * after the last observation above the threshold (and a key never observed fires at once); a re-arm takes effect
 * only when its observation is not older than the fall that fired. At the same instant, the observation above
 * the threshold wins.
 *
 * <p>Implementations are thread-safe and atomic per (kind, key); calls may block but are bounded. Built in:
 * {@link #inMemory(int)} (one JVM) and {@link PostgresCrossingStore} (shared by the nodes of a cluster).
 */
public interface CrossingStore {

    /**
     * Marks the crossing of a key as fired, atomically: of all callers, on every node sharing this store, only
     * the first since the key was last re-armed gets {@code true}, and only it sends the alert. Does nothing
     * (and returns {@code false}) when the key was observed above its threshold at or after {@code observedAt}.
     *
     * @param kind the alert kind, such as {@link BalanceAlerts#LOW_BALANCE}
     * @param key the key, such as an account id
     * @param observedAt when the value that is at or below its threshold was observed
     * @return {@code true} if this call fired the crossing; {@code false} if it had fired already, or this
     *     observation is older than the last one above the threshold
     * @throws CrossingStoreUnavailableException if the store cannot be reached; nothing is marked, so a later
     *     observation fires
     */
    boolean fire(String kind, String key, Instant observedAt);

    /**
     * Records that a key's value was observed above its threshold at {@code observedAt}: re-arms it when it has
     * fired on an observation not after {@code observedAt}, so that its next fall fires again; moves the time of
     * an armed key forward (never back), so that a fall observed before it and arriving late does not fire; does
     * nothing when the key fired on a later observation.
     *
     * @param kind the alert kind
     * @param key the key
     * @param observedAt when the value above the threshold was observed
     * @return whether a fired crossing was re-armed
     * @throws CrossingStoreUnavailableException if the store cannot be reached
     */
    boolean rearm(String kind, String key, Instant observedAt);

    /**
     * {@return a store in this JVM} At most {@code maxKeys} keys are remembered (all kinds together, armed or
     * fired); past that the least recently observed one is forgotten: if it had fired, it may fire once more
     * while still below; if it was armed, a fall observed before its last observation above may fire. Its state
     * is lost when the JVM stops (a restart alerts again for keys still low), and every node has its own (each
     * node alerts for the crossings it observes). Never throws {@link CrossingStoreUnavailableException}.
     *
     * @param maxKeys the most keys remembered, 1 to 10,000,000
     * @throws IllegalArgumentException if {@code maxKeys} is out of range
     */
    static CrossingStore inMemory(int maxKeys) {
        if (maxKeys < 1 || maxKeys > 10_000_000) {
            throw new IllegalArgumentException("maxKeys must be 1 to 10000000: " + maxKeys);
        }
        record Crossing(String kind, String key) {
        }
        record State(boolean fired, Instant observedAt) {
        }
        Map<Crossing, State> states = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Crossing, State> eldest) {
                return size() > maxKeys;
            }
        };
        return new CrossingStore() {
            @Override
            public boolean fire(String kind, String key, Instant observedAt) {
                Crossing c = new Crossing(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(key, "key"));
                Objects.requireNonNull(observedAt, "observedAt");
                synchronized (states) {
                    State s = states.get(c);
                    if (s != null && (s.fired() || !s.observedAt().isBefore(observedAt))) {
                        return false;
                    }
                    states.put(c, new State(true, observedAt));
                    return true;
                }
            }

            @Override
            public boolean rearm(String kind, String key, Instant observedAt) {
                Crossing c = new Crossing(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(key, "key"));
                Objects.requireNonNull(observedAt, "observedAt");
                synchronized (states) {
                    State s = states.get(c);
                    if (s == null || (s.fired() ? !s.observedAt().isAfter(observedAt)
                            : s.observedAt().isBefore(observedAt))) {
                        states.put(c, new State(false, observedAt));
                        return s != null && s.fired();
                    }
                    return false;
                }
            }

            @Override
            public String toString() {
                return "CrossingStore.inMemory(" + maxKeys + ")";
            }
        };
    }
}
