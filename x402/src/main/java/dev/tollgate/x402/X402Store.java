package dev.tollgate.x402;

import dev.tollgate.spi.RecordedResponse;
import java.time.Instant;

/**
 * Where the x402 scheme keeps its replay guard (each signed authorization, by payer and nonce) and
 * its payment-identifier records (by id, with the payload's digest and the response served). A key
 * is claimed atomically, once: of any number of concurrent claims of one key exactly one gets
 * {@link Claim#CLAIMED}. The built-in store keeps records in memory ({@link MemoryX402Store}); with
 * the PostgreSQL ledger they live in its database, so several nodes never serve one payment twice.
 *
 * <p>Implementations are thread-safe; calls may block (a database round trip) but must be bounded,
 * and throw a runtime exception when the store cannot answer (Tollgate then answers {@code 503}).
 */
public interface X402Store {

    /** The state of a record. */
    enum State {
        /** A request is verifying or serving with it now. */
        IN_PROGRESS,
        /** Settled: the payment was spent (and its response recorded, for payment identifiers). */
        SPENT,
        /** Settlement was attempted and its outcome is not known: kept until it lapses. */
        UNKNOWN
    }

    /**
     * What a claim found.
     *
     * @param claimed whether this call took the key (it was free or its record had lapsed)
     * @param state the existing record's state, when not claimed
     * @param digest the existing record's digest, when not claimed
     * @param response the response recorded with it, or {@code null}
     */
    record Claim(boolean claimed, State state, String digest, RecordedResponse response) {
        /** This call took the key. */
        public static final Claim CLAIMED = new Claim(true, null, null, null);
    }

    /**
     * Takes a key unless a record that has not lapsed holds it.
     *
     * @param key the key (at most 300 characters)
     * @param digest what the key was used with (the payload's digest)
     * @param lapses when the record may be forgotten
     * @return {@link Claim#CLAIMED}, or the record that holds the key
     */
    Claim claim(String key, String digest, Instant lapses);

    /**
     * Marks a claimed key as spent, with the response to serve again for it.
     *
     * @param key the key
     * @param response the response, or {@code null}
     * @param lapses when the record may be forgotten
     */
    void spend(String key, RecordedResponse response, Instant lapses);

    /**
     * Marks a claimed key as of unknown outcome: it stays taken until it lapses.
     *
     * @param key the key
     */
    void unknown(String key);

    /**
     * Frees a claimed key (the payment was not used). No effect on a spent key or an unknown one.
     *
     * @param key the key
     */
    void release(String key);
}
