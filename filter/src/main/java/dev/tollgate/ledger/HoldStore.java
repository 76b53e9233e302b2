package dev.tollgate.ledger;

import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a {@link BalanceLedger} keeps what the application's balances do not: its holds, their
 * states, and the idempotency records with the responses replayed to retries. Tollgate provides
 * the implementations: in memory ({@link BalanceLedger.Builder#build()} by default) and in
 * PostgreSQL tables ({@code PostgresHoldStore} in {@code tollgate-ledger-postgresql}); applications
 * implement {@link dev.tollgate.spi.Balances}, not this.
 *
 * <p>A hold moves through {@code debiting → open → committed}, or {@code open → returning →
 * released | expired} (back to {@code open} when the credit fails), or is abandoned while
 * {@code debiting} (its debit did not happen). Each transition is atomic, so only one caller ever
 * credits a hold back. Times come from the ledger's clock, passed in as {@code now}.
 *
 * <p>Implementations are thread-safe; they may block on I/O and then throw
 * {@link dev.tollgate.spi.LedgerUnavailableException} when they cannot answer.
 */
public interface HoldStore {

    /**
     * Records a new hold as {@code debiting} and, for a client key, claims the key for it in the
     * same atomic step.
     *
     * @param hold the hold, not yet debited
     * @param idempotency the charge's key; claimed only when {@link Idempotency#clientSupplied()}
     * @param now the current time
     * @param retryAfter what to send with a refusal because a budget of records is used up
     * @return null when recorded; else the answer and nothing recorded: a {@link Reservation.Conflict}
     *     (key in progress, or reused for another request), a {@link Reservation.Replay}, or a
     *     {@link Reservation.Denied} when the records' budget is used up
     */
    Reservation open(Hold hold, Idempotency idempotency, Instant now, Duration retryAfter);

    /**
     * Marks a hold whose debit was made as {@code open}.
     *
     * @param holdId the hold
     */
    void opened(String holdId);

    /**
     * Forgets a {@code debiting} hold whose debit was not made, and frees its key.
     *
     * @param holdId the hold
     */
    void abandon(String holdId);

    /**
     * Commits an open hold that is not overdue, and keeps the response for its client key.
     *
     * @param holdId the hold
     * @param response the response to replay, or null (the key, if any, is then forgotten)
     * @param now the current time
     * @param retention how long the response is replayed
     * @return {@link Settlement#COMMITTED}, the state of a hold that is not open, or {@code null}
     *     when the hold is open but overdue (the caller expires it)
     */
    Settlement commit(String holdId, RecordedResponse response, Instant now, Duration retention);

    /**
     * Moves an open hold to {@code returning}: the caller then credits its amount back.
     *
     * @param holdId the hold
     * @param expiry true to expire it (only when overdue at {@code now}), false to release it
     * @param now the current time
     * @return the hold, or empty when it is not open (or, for expiry, not overdue)
     */
    Optional<Hold> beginReturn(String holdId, boolean expiry, Instant now);

    /**
     * Settles a {@code returning} hold whose amount was credited back, and frees its key.
     *
     * @param holdId the hold
     */
    void returned(String holdId);

    /**
     * Puts a {@code returning} hold whose credit failed back to {@code open}.
     *
     * @param holdId the hold
     */
    void returnFailed(String holdId);

    /**
     * Tells a hold's state.
     *
     * @param holdId the hold
     * @return its final state ({@code returning} reported as the state it is moving to),
     *     {@link Settlement#UNKNOWN} for a hold this store does not know, or {@code null} while it
     *     is {@code debiting} or {@code open}
     */
    Settlement state(String holdId);

    /**
     * Lists open holds overdue at {@code now}, and drops records past their retention.
     *
     * @param now the current time
     * @param max the most holds to list
     * @return the holds, oldest first
     */
    List<Hold> overdue(Instant now, int max);

    /**
     * Finds the open, overdue hold that holds a client key, so it can be expired before the key is
     * claimed again.
     *
     * @param account the account
     * @param key the client key
     * @param now the current time
     * @return the hold, if any
     */
    Optional<Hold> overdueHoldOfKey(String account, String key, Instant now);

    /** {@return the number of holds not settled yet} */
    long openHoldCount();
}
