package dev.tollgate.usage;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a consumer of a {@link UsageLog} keeps its position between pages and across restarts.
 * {@link UsagePush} saves the cursor after the receiver acknowledged a page, so a restart resends at most
 * that one page (with the same event ids). Implementations are thread-safe; calls may block but are bounded.
 */
public interface CursorStore {

    /**
     * {@return the saved cursor token, or empty when nothing was saved yet}
     *
     * @throws UsageLogUnavailableException if the store cannot be read
     */
    Optional<String> load();

    /**
     * Saves a cursor token, replacing the previous one.
     *
     * @param token a {@link UsageCursor#token()}
     * @throws UsageLogUnavailableException if the store cannot be written
     */
    void save(String token);

    /**
     * {@return a store in the JVM: its position is lost when the JVM stops} Fits a
     * {@link MemoryUsageLog}, whose records are lost then too.
     */
    static CursorStore inMemory() {
        AtomicReference<String> saved = new AtomicReference<>();
        return new CursorStore() {
            @Override
            public Optional<String> load() {
                return Optional.ofNullable(saved.get());
            }

            @Override
            public void save(String token) {
                saved.set(token);
            }

            @Override
            public String toString() {
                return "CursorStore.inMemory()";
            }
        };
    }
}
