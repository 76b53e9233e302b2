package dev.tollgate.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One committed charge (or the undoing of one), as the usage export delivers it. Immutable.
 *
 * @param id the record's stable id: derived from the ledger entry, identical every time the record is read
 *     or sent (the CloudEvents {@code id}); unique within its {@link UsageLog}
 * @param kind a charge, or the reversal of an earlier charge
 * @param account the account charged (an account id, never an API key's secret beyond what the ledger
 *     uses as the id)
 * @param amount the amount, exact and not negative (zero for a call that cost nothing)
 * @param currency the unit of the amount
 * @param resource what was bought, as the policy names it ({@code "GET reports"}); may be {@code null}
 * @param holdId the ledger's hold the charge settled; may be {@code null}
 * @param at when the ledger recorded it
 */
public record UsageRecord(String id, Kind kind, String account, BigDecimal amount, String currency,
                          String resource, String holdId, Instant at) {

    /** What a record says happened. */
    public enum Kind {
        /** A hold was committed: the account paid {@code amount}. */
        CHARGE,
        /** A charge of unknown outcome was undone: {@code amount} went back to the account. */
        REVERSAL
    }

    /** Requires the non-null components and a non-negative amount. */
    public UsageRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(at, "at");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("a usage amount is never negative: " + amount);
        }
    }
}
