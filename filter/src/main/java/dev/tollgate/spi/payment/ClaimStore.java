package dev.tollgate.spi.payment;

import dev.tollgate.spi.RecordedResponse;
import java.time.Instant;

/**
 * Single-use claims of payment credentials, for {@link PaymentScheme}s that are paid by
 * credentials a client could send twice (a signed authorization, a voucher): a key (such as payer
 * and nonce) is claimed atomically, once, before the credential is checked, so one payment serves
 * one request however many copies of it arrive at once, on however many nodes share the store; a
 * claim may keep the response served for it, to answer retries of the same payment.
 *
 * <p>A {@link dev.tollgate.spi.Ledger} that keeps such records in its own store offers one through
 * {@link dev.tollgate.spi.Ledger#claimStore()} (the PostgreSQL ledger does, in its database), and a
 * scheme finds it in {@link SchemeContext#ledger()}; otherwise schemes keep claims in memory.
 *
 * <p>Implementations are thread-safe; calls may block (a database round trip) but must be bounded,
 * and throw a runtime exception when the store cannot answer (the scheme then fails closed: 503).
 */
public interface ClaimStore {

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
     * @param key the key (1 to 300 characters)
     * @param digest what the key was used with (such as the payload's digest; at most 128 characters)
     * @param now the scheme's current time: records lapsed by then are free
     * @param lapses when this record may be forgotten
     * @return {@link Claim#CLAIMED}, or the record that holds the key
     */
    Claim claim(String key, String digest, Instant now, Instant lapses);

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
