package dev.tollgate.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of an account statement: a signed change of the available balance and of the money
 * held, and why. Entries are append-only: the sum of an account's {@code availableDelta} is its
 * available balance, the sum of its {@code heldDelta} the money under open holds. Immutable.
 *
 * <table>
 *   <caption>Deltas by kind (for an amount a)</caption>
 *   <tr><th>kind</th><th>available</th><th>held</th></tr>
 *   <tr><td>OPEN, CREDIT, REVERSAL</td><td>+a</td><td>0</td></tr>
 *   <tr><td>HOLD</td><td>-a</td><td>+a</td></tr>
 *   <tr><td>COMMIT</td><td>0</td><td>-a</td></tr>
 *   <tr><td>RELEASE, EXPIRY</td><td>+a</td><td>-a</td></tr>
 *   <tr><td>DEBIT</td><td>-a</td><td>0</td></tr>
 *   <tr><td>ALLOWANCE, NOTE</td><td>0</td><td>0</td></tr>
 * </table>
 *
 * @param id the entry's sequence number (increasing within a ledger)
 * @param account the account
 * @param kind why the balance changed
 * @param availableDelta the signed change of the available balance
 * @param heldDelta the signed change of the money held
 * @param currency the account's unit
 * @param holdId the hold concerned, or {@code null} for administrative entries
 * @param reference what was bought ({@code "GET reports"}) or the operator's note; may be null
 * @param at when
 * @param allowanceDelta the signed change of the monthly allowance used (see
 *     {@link dev.tollgate.spi.Allowance}), in its unit (credits or calls): negative on a {@code HOLD} that
 *     the allowance (partly) covers, positive on a {@code RELEASE}, {@code EXPIRY} or {@code REVERSAL} that
 *     gives that part back within the same period; zero otherwise. The available and held deltas are the
 *     balance's part only.
 */
public record LedgerEntry(long id, String account, Kind kind, BigDecimal availableDelta, BigDecimal heldDelta,
                          String currency, String holdId, String reference, Instant at, BigDecimal allowanceDelta) {

    /** Requires the non-null components; a {@code null} allowance delta is zero. */
    public LedgerEntry {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(availableDelta, "availableDelta");
        Objects.requireNonNull(heldDelta, "heldDelta");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(at, "at");
        allowanceDelta = allowanceDelta == null ? BigDecimal.ZERO : allowanceDelta;
    }

    /**
     * An entry that does not touch an allowance.
     *
     * @param id the entry's sequence number
     * @param account the account
     * @param kind why the balance changed
     * @param availableDelta the signed change of the available balance
     * @param heldDelta the signed change of the money held
     * @param currency the account's unit
     * @param holdId the hold concerned, or {@code null}
     * @param reference what was bought or the operator's note; may be null
     * @param at when
     */
    public LedgerEntry(long id, String account, Kind kind, BigDecimal availableDelta, BigDecimal heldDelta,
                       String currency, String holdId, String reference, Instant at) {
        this(id, account, kind, availableDelta, heldDelta, currency, holdId, reference, at, BigDecimal.ZERO);
    }

    /** Why a balance changed. */
    public enum Kind {
        /** The account was opened with its first balance. */
        OPEN,
        /** Money moved from available to held, for a request. */
        HOLD,
        /** Held money was charged. */
        COMMIT,
        /**
         * Held money went back to available: the request was not billable, or (right after its
         * {@code COMMIT}) the part of a metered call's hold that it did not cost.
         */
        RELEASE,
        /** Held money went back to available: the hold was never settled in time. */
        EXPIRY,
        /** A commit whose outcome was unknown (the ledger failed while acknowledging it) was undone. */
        REVERSAL,
        /** An operator added money. */
        CREDIT,
        /** An operator took money away (an adjustment). */
        DEBIT,
        /**
         * An operator set or removed the account's monthly allowance (no money moves; the reference says
         * what and who).
         */
        ALLOWANCE,
        /**
         * An operator's action that moved no money (opened the account, granted or revoked an
         * entitlement, issued, imported, revoked or rotated a key), with who did it: the reference
         * is built by {@link AdminNotes}. Zero deltas; not a charge, a call or revenue, so usage
         * exports and reports skip it.
         */
        NOTE
    }
}
