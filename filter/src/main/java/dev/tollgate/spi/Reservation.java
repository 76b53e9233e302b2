package dev.tollgate.spi;

import dev.tollgate.Money;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The answer of {@link Ledger#reserve}: one of {@link Authorized}, {@link Denied},
 * {@link Replay} or {@link Conflict}.
 */
public sealed interface Reservation {

    /**
     * The charge is held: the request may run.
     *
     * @param hold the hold to commit or release afterwards
     * @param balance the available balance after the hold
     * @param allowance the account's monthly allowance after the hold, or {@code null} when it has none or
     *     the ledger does not say (a listener that alerts on a used-up allowance reads it here)
     */
    record Authorized(Hold hold, Money balance, Allowance.State allowance) implements Reservation {

        // Validates.
        public Authorized {
            Objects.requireNonNull(hold, "hold");
            Objects.requireNonNull(balance, "balance");
        }

        /**
         * A hold that says nothing of an allowance.
         *
         * @param hold the hold to commit or release afterwards
         * @param balance the available balance after the hold
         */
        public Authorized(Hold hold, Money balance) {
            this(hold, balance, null);
        }
    }

    /**
     * The charge is refused; nothing was held.
     *
     * @param reason why
     * @param price the price that was asked
     * @param balance the available balance, or {@code null} when unknown (such as for an unknown
     *     account)
     * @param entitlement the entitlement that is missing, or {@code null}
     * @param paymentOptions how the client could pay instead; may be empty
     * @param retryAfter when the same request may succeed, or {@code null} when waiting alone
     *     does not help (sent as {@code Retry-After})
     * @param allowance the account's monthly allowance, or {@code null} when it has none (or the ledger
     *     does not say); shown in a 402 for {@link DenialReason#INSUFFICIENT_FUNDS}
     */
    record Denied(DenialReason reason, Money price, Money balance, String entitlement,
                  List<PaymentOption> paymentOptions, Duration retryAfter, Allowance.State allowance)
            implements Reservation {

        // Validates and copies.
        public Denied {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(price, "price");
            paymentOptions = List.copyOf(paymentOptions);
        }

        /**
         * A refusal without an allowance.
         *
         * @param reason why
         * @param price the price that was asked
         * @param balance the available balance, or {@code null}
         * @param entitlement the entitlement that is missing, or {@code null}
         * @param paymentOptions how the client could pay instead; may be empty
         * @param retryAfter when the same request may succeed, or {@code null}
         */
        public Denied(DenialReason reason, Money price, Money balance, String entitlement,
                      List<PaymentOption> paymentOptions, Duration retryAfter) {
            this(reason, price, balance, entitlement, paymentOptions, retryAfter, null);
        }

        /**
         * A refusal that waiting alone does not lift (no {@code retryAfter}).
         *
         * @param reason why
         * @param price the price that was asked
         * @param balance the available balance, or {@code null}
         * @param entitlement the entitlement that is missing, or {@code null}
         * @param paymentOptions how the client could pay instead; may be empty
         */
        public Denied(DenialReason reason, Money price, Money balance, String entitlement,
                      List<PaymentOption> paymentOptions) {
            this(reason, price, balance, entitlement, paymentOptions, null, null);
        }
    }

    /**
     * The same payer already completed a request with this idempotency key and the same
     * fingerprint: nothing was charged now, and the first response is to be sent again.
     *
     * @param response the recorded response of the first request
     */
    record Replay(RecordedResponse response) implements Reservation {

        // Validates.
        public Replay {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * The idempotency key cannot be used now; nothing was held.
     *
     * @param kind what the conflict is
     * @param retryAfter when a retry may succeed ({@link ConflictKind#IN_PROGRESS}), else
     *     {@code null}
     */
    record Conflict(ConflictKind kind, Duration retryAfter) implements Reservation {

        // Validates.
        public Conflict {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** What kind of idempotency conflict a {@link Conflict} is. */
    enum ConflictKind {

        /** A request with this key is still running. */
        IN_PROGRESS,

        /** The key was used by this payer for a different request (method, target or body). */
        KEY_REUSED
    }
}
