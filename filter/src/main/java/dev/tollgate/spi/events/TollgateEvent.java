package dev.tollgate.spi.events;

import dev.tollgate.Denial;
import dev.tollgate.Money;
import dev.tollgate.annotations.StoreFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One decision Tollgate made, or one thing that happened to its ledger or rate-limit store, as told
 * to a {@link TollgateListener}. Every event is a small immutable record; the kinds are closed
 * (a {@code sealed} interface), so a listener can tell them apart with {@code instanceof}.
 *
 * <h2>Which events a request produces</h2>
 * Each request ends in exactly one <em>outcome</em> event:
 * <ul>
 *   <li>{@link Passed}: admitted without a payment: a free, only rate-limited endpoint, or a
 *       servlet without a policy (told when it has answered);</li>
 *   <li>{@link Refused}: refused before its endpoint ran, other than by a rate limit (402, 400,
 *       401, 409, 413, 503…);</li>
 *   <li>{@link Limited}: refused by a rate limit (429);</li>
 *   <li>{@link Replayed}: the response recorded for an earlier request with the same
 *       {@code Idempotency-Key} was sent again, uncharged;</li>
 *   <li>{@link Charged}: its endpoint ran and the hold was committed;</li>
 *   <li>{@link Released}: its endpoint ran and the hold was released: the outcome was not
 *       billable, the endpoint failed, asynchronous processing timed out, or the charge failed or
 *       was declined (then the client got a 503 or 402 instead of the response, or, when the
 *       response had already left, the response uncharged).</li>
 * </ul>
 * A paid request whose endpoint runs produces {@link Admitted} first (its payment is held), then
 * exactly one {@link Charged} or {@link Released} with the same {@code holdId}: the number of
 * open holds is admitted minus charged minus released. Along the way come {@link ShadowLimited}
 * (a shadow limit would have refused), {@link LedgerCall} (each reserve, commit and release,
 * timed), {@link LedgerFailed}, {@link StoreCall} and {@link StoreFailed} (the shared rate-limit
 * store), and later, on the settlement-retry thread, {@link SettlementRetried}. Error, include,
 * forward and asynchronous dispatches produce no outcome of their own; a request to a Jakarta REST
 * resource without a policy passes under the name of the servlet that runs the resources.
 *
 * <h2>What events never carry</h2>
 * No API key, bearer token, payment credential or request header: a payer appears only as its
 * account id, which is what the ledger calls the account. Endpoint names are servlet names (or
 * resource names for Jakarta REST), a bounded set fixed at start-up.
 *
 * <p>All implementations are immutable and thread-safe.
 */
public sealed interface TollgateEvent {

    /** {@return when it happened, by Tollgate's clock} */
    Instant time();

    /** The ledger or payment-scheme operation an event is about. */
    enum Operation {
        /** Holding the price ({@code reserve}). */
        RESERVE,
        /** Committing a hold (the charge). */
        COMMIT,
        /** Releasing a hold. */
        RELEASE;

        /** {@return the lower-case name, as used in metric tags} */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A request was let through without a payment: to an endpoint whose policy asks for none (only
     * rate limits), told when it was admitted; or to a servlet without a policy, told when the
     * servlet has answered.
     *
     * @param time when
     * @param endpoint the endpoint's name (the servlet or resource name)
     * @param method the HTTP method (as the client sent it, for a servlet without a policy)
     */
    record Passed(Instant time, String endpoint, String method) implements TollgateEvent {
        /** Checks the values. */
        public Passed {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
        }
    }

    /**
     * A paid request's payment is held and its endpoint is about to run. Followed by exactly one
     * {@link Charged} or {@link Released} with the same {@code holdId}.
     *
     * @param time when
     * @param endpoint the endpoint's name
     * @param method the HTTP method
     * @param scheme the payment scheme that holds the payment ({@code account} for prepaid accounts)
     * @param account the payer's account id as the ledger knows it; never a key or credential
     * @param price the amount held
     * @param holdId the hold's id
     */
    record Admitted(Instant time, String endpoint, String method, String scheme, String account, Money price,
                    String holdId) implements TollgateEvent {
        /** Checks the values. */
        public Admitted {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(price, "price");
            Objects.requireNonNull(holdId, "holdId");
        }
    }

    /**
     * A request was refused before its endpoint ran, with a problem other than a rate limit
     * ({@link Limited} is that one).
     *
     * @param time when
     * @param endpoint the endpoint's name
     * @param method the HTTP method
     * @param kind the kind of refusal, which gives the status and the problem type
     */
    record Refused(Instant time, String endpoint, String method, Denial.Kind kind) implements TollgateEvent {
        /** Checks the values. */
        public Refused {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(kind, "kind");
        }

        /** {@return the HTTP status sent} */
        public int status() {
            return kind.status();
        }

        /** {@return the problem type's stable slug, such as {@code insufficient-funds}} */
        public String problemType() {
            return kind.slug();
        }
    }

    /**
     * A rate limit refused a request (429).
     *
     * @param time when
     * @param endpoint the endpoint's name
     * @param method the HTTP method
     * @param limits the names of the limits exceeded
     * @param retryAfter when a retry would be admitted
     */
    record Limited(Instant time, String endpoint, String method, List<String> limits, Duration retryAfter)
            implements TollgateEvent {
        /** Checks and copies the values. */
        public Limited {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
            limits = List.copyOf(limits);
        }
    }

    /**
     * A shadow limit would have refused a request; the request went on.
     *
     * @param time when
     * @param endpoint the endpoint's name
     * @param method the HTTP method
     * @param limits the names of the shadow limits exceeded
     * @param retryAfter when a retry would have been admitted
     */
    record ShadowLimited(Instant time, String endpoint, String method, List<String> limits, Duration retryAfter)
            implements TollgateEvent {
        /** Checks and copies the values. */
        public ShadowLimited {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
            limits = List.copyOf(limits);
        }
    }

    /**
     * The response recorded for an earlier request with the same {@code Idempotency-Key} was sent
     * again; nothing was charged.
     *
     * @param time when
     * @param endpoint the endpoint's name
     * @param method the HTTP method
     * @param status the recorded status
     */
    record Replayed(Instant time, String endpoint, String method, int status) implements TollgateEvent {
        /** Checks the values. */
        public Replayed {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
        }
    }

    /**
     * A hold was committed: the payer was charged.
     *
     * @param time when
     * @param endpoint the endpoint's name
     * @param method the HTTP method
     * @param scheme the payment scheme
     * @param account the payer's account id; never a key or credential
     * @param amount the amount charged (for a metered endpoint, what it metered)
     * @param holdId the hold's id
     */
    record Charged(Instant time, String endpoint, String method, String scheme, String account, Money amount,
                   String holdId) implements TollgateEvent {
        /** Checks the values. */
        public Charged {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(holdId, "holdId");
        }

        /** {@return the currency of the amount} */
        public String currency() {
            return amount.currency();
        }
    }

    /**
     * A hold was released: the payer was not charged.
     *
     * @param time when
     * @param endpoint the endpoint's name
     * @param method the HTTP method
     * @param scheme the payment scheme
     * @param account the payer's account id; never a key or credential
     * @param amount the amount that was held
     * @param holdId the hold's id
     * @param reason why, as a low-cardinality category
     * @param detail why, in words (such as {@code status 500}); for logs, not for metric tags
     */
    record Released(Instant time, String endpoint, String method, String scheme, String account, Money amount,
                    String holdId, Reason reason, String detail) implements TollgateEvent {
        /** Checks the values. */
        public Released {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(holdId, "holdId");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /** Why a hold was released. */
        public enum Reason {
            /** The response's status is not billable (by default, not 2xx). */
            NOT_BILLABLE,
            /** The endpoint threw, or its response was lost before it could be charged. */
            FAILED,
            /** Asynchronous processing timed out or failed, or the request ended unsettled. */
            ABANDONED,
            /**
             * The charge failed or was declined: the client got a 503 or 402 instead of the
             * response or, when the response had already left, the response uncharged.
             */
            CHARGE_FAILED;

            /** {@return the lower-case name, as used in metric tags} */
            public String tag() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /**
     * One ledger or payment-scheme call made on a request thread, with its duration (measured only
     * while a listener is registered).
     *
     * @param time when it ended
     * @param scheme the payment scheme whose call it was
     * @param operation reserve, commit or release
     * @param nanos how long it took
     * @param failed whether it threw (a {@link LedgerFailed} follows)
     */
    record LedgerCall(Instant time, String scheme, Operation operation, long nanos, boolean failed)
            implements TollgateEvent {
        /** Checks the values. */
        public LedgerCall {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(operation, "operation");
        }
    }

    /**
     * The ledger or a payment scheme failed on a request thread: the request was refused with 503
     * (reserve), its response replaced or its commit retried in the background (commit), or the
     * release was left to a background retry (release).
     *
     * @param time when
     * @param scheme the payment scheme ({@code account} for Tollgate's ledger)
     * @param operation what failed
     * @param cause the failure; its message is for logs, it may name accounts
     */
    record LedgerFailed(Instant time, String scheme, Operation operation, Throwable cause) implements TollgateEvent {
        /** Checks the values. */
        public LedgerFailed {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(cause, "cause");
        }
    }

    /**
     * One call to the shared rate-limit store, with its duration.
     *
     * @param time when it ended
     * @param store the store's name
     * @param nanos how long the request thread waited
     * @param failed whether it failed or timed out (a {@link StoreFailed} follows)
     */
    record StoreCall(Instant time, String store, long nanos, boolean failed) implements TollgateEvent {
        /** Checks the values. */
        public StoreCall {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(store, "store");
        }
    }

    /**
     * The shared rate-limit store failed or timed out; the limit's {@code onStoreFailure} policy was
     * applied.
     *
     * @param time when
     * @param store the store's name
     * @param applied the policy applied ({@code OPEN}, {@code CLOSED} or {@code LOCAL})
     * @param cause the failure
     */
    record StoreFailed(Instant time, String store, StoreFailure applied, RuntimeException cause)
            implements TollgateEvent {
        /** Checks the values. */
        public StoreFailed {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(applied, "applied");
            Objects.requireNonNull(cause, "cause");
        }
    }

    /**
     * A hold the ledger could not settle while its request ran was tried again in the background
     * (on Tollgate's settlement-retry scheduler, not a request thread).
     *
     * @param time when
     * @param holdId the hold's id
     * @param account the hold's account id
     * @param operation commit or release
     * @param succeeded whether the ledger answered this time (else another attempt follows, with a
     *     longer back-off)
     */
    record SettlementRetried(Instant time, String holdId, String account, Operation operation, boolean succeeded)
            implements TollgateEvent {
        /** Checks the values. */
        public SettlementRetried {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(holdId, "holdId");
            Objects.requireNonNull(operation, "operation");
        }
    }
}
