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
    CURRENCY_MISMATCH
}
