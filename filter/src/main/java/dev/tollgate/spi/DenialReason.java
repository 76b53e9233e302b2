package dev.tollgate.spi;

/** Why a {@link Ledger} refused a {@link Charge}. */
public enum DenialReason {

    /** No account has this id; answered with {@code 401}. */
    UNKNOWN_ACCOUNT,

    /** The available balance is lower than the price; answered with {@code 402}. */
    INSUFFICIENT_FUNDS,

    /** The account lacks the required entitlement; answered with {@code 402}. */
    MISSING_ENTITLEMENT,

    /** The account is kept in another unit than the price; answered with {@code 402}. */
    CURRENCY_MISMATCH,

    /**
     * The payer already holds as many idempotency records as its share allows, and the ledger
     * refuses to drop one before its retention ends; answered with {@code 429}. A request without
     * an {@code Idempotency-Key} is not affected.
     */
    IDEMPOTENCY_RECORDS_EXHAUSTED,

    /**
     * The ledger's idempotency records as a whole are at capacity, and it refuses to drop one
     * before its retention ends; answered with {@code 503}.
     */
    IDEMPOTENCY_STORE_FULL
}
