package dev.tollgate.spi;

/**
 * The final state of a {@link Hold} after {@link Ledger#commit} or {@link Ledger#release}.
 * Both calls are idempotent: once a hold is settled, later calls report that state and change
 * nothing.
 */
public enum Settlement {

    /** The amount was captured; the charge is final. */
    COMMITTED,

    /** The amount went back to the account. */
    RELEASED,

    /** The hold expired before it was settled; its amount went back to the account. */
    EXPIRED,

    /** The ledger does not know the hold (for example, an in-memory ledger that was restarted). */
    UNKNOWN
}
