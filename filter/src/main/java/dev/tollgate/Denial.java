package dev.tollgate;

import dev.tollgate.spi.PaymentOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Why Tollgate refused a request, with everything a {@link dev.tollgate.spi.DenialRenderer}
 * needs to explain it. Immutable.
 *
 * @param kind the kind of refusal, which fixes the HTTP status
 * @param detail a human sentence about this occurrence, safe to show the client
 * @param price the price of the request, or {@code null}
 * @param balance the payer's available balance, or {@code null} when unknown
 * @param entitlement the entitlement that is required, or {@code null}
 * @param description what the endpoint sells ({@code @RequiresPayment(description)}), or
 *     {@code null}
 * @param retryAfter when a retry may succeed (sent as {@code Retry-After}), or {@code null}
 * @param violatedPolicies the names of the rate-limit policies that refused the request
 * @param paymentOptions how the client can pay
 * @param members more top-level members a payment scheme adds to the problem body, in order (such as
 *     what a protocol's older clients read from the body); a member whose name Tollgate already
 *     writes is ignored; values are strings, numbers, booleans, lists and maps of them
 */
public record Denial(Kind kind, String detail, Money price, Money balance, String entitlement, String description,
                     Duration retryAfter, List<String> violatedPolicies, List<PaymentOption> paymentOptions,
                     java.util.Map<String, Object> members) {

    // Validates and copies; keeps the members' order.
    public Denial {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
        violatedPolicies = List.copyOf(violatedPolicies);
        paymentOptions = List.copyOf(paymentOptions);
        members = members == null || members.isEmpty() ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
    }

    /**
     * A denial without extra members.
     *
     * @param kind the kind
     * @param detail the human explanation
     * @param price the price, or {@code null}
     * @param balance the balance, or {@code null}
     * @param entitlement the entitlement, or {@code null}
     * @param description what the endpoint sells, or {@code null}
     * @param retryAfter the retry delay, or {@code null}
     * @param violatedPolicies the violated rate-limit policies
     * @param paymentOptions how the client can pay
     */
    public Denial(Kind kind, String detail, Money price, Money balance, String entitlement, String description,
                  Duration retryAfter, List<String> violatedPolicies, List<PaymentOption> paymentOptions) {
        this(kind, detail, price, balance, entitlement, description, retryAfter, violatedPolicies, paymentOptions,
                null);
    }

    /**
     * Returns a copy with more members.
     *
     * @param more members to add after the present ones
     * @return the copy
     */
    public Denial withMembers(java.util.Map<String, Object> more) {
        if (more.isEmpty()) {
            return this;
        }
        java.util.Map<String, Object> all = new java.util.LinkedHashMap<>(members);
        more.forEach(all::putIfAbsent);
        return new Denial(kind, detail, price, balance, entitlement, description, retryAfter, violatedPolicies,
                paymentOptions, all);
    }

    /**
     * Creates a denial with only a kind and a detail.
     *
     * @param kind the kind
     * @param detail the human explanation
     * @return the denial
     */
    public static Denial of(Kind kind, String detail) {
        return new Denial(kind, detail, null, null, null, null, null, List.of(), List.of());
    }

    /**
     * Returns a copy with a {@code Retry-After} delay.
     *
     * @param delay the delay
     * @return the copy
     */
    public Denial withRetryAfter(Duration delay) {
        return new Denial(kind, detail, price, balance, entitlement, description, delay, violatedPolicies,
                paymentOptions, members);
    }

    /** {@return the HTTP status of this denial's kind} */
    public int status() {
        return kind.status();
    }

    /**
     * The kinds of refusal, each with its HTTP status, a stable problem-type slug and a title.
     * Problem type URIs are the configured base (by default {@value TollgateConfig#DEFAULT_PROBLEM_TYPE_BASE})
     * followed by the slug, except {@link #RATE_LIMITED}, which uses the IANA-registered
     * {@value #QUOTA_EXCEEDED_TYPE}.
     */
    public enum Kind {

        /** No payer could be identified on a paid endpoint: 402. */
        PAYMENT_REQUIRED(402, "payment-required", "Payment required"),

        /** A payment scheme definitively declined the payment when the call was settled: 402. */
        PAYMENT_DECLINED(402, "payment-declined", "Payment declined"),

        /**
         * The service a payment scheme relies on (such as an x402 facilitator) failed or could not
         * be reached while checking a payment; nothing was charged: 502.
         */
        PAYMENT_PROVIDER_FAILED(502, "payment-provider-failed", "Payment provider failed"),

        /** The payer's balance does not cover the price: 402. */
        INSUFFICIENT_FUNDS(402, "insufficient-funds", "Insufficient funds"),

        /** The payer lacks the entitlement the endpoint requires: 402. */
        ENTITLEMENT_REQUIRED(402, "entitlement-required", "Entitlement required"),

        /** The payer's account is kept in another unit than the price: 402. */
        CURRENCY_MISMATCH(402, "currency-mismatch", "Currency not accepted"),

        /** A credential is present but malformed or ambiguous: 401. */
        INVALID_CREDENTIALS(401, "invalid-credentials", "Invalid credentials"),

        /** The credential names no known account: 401. */
        UNKNOWN_ACCOUNT(401, "unknown-account", "Unknown account"),

        /** A rate limit is exhausted: 429. */
        RATE_LIMITED(429, "quota-exceeded", "Too many requests"),

        /** The shared rate-limit store failed and the limit's policy is to refuse: 503. */
        RATE_LIMITER_UNAVAILABLE(503, "rate-limiter-unavailable", "Rate limiter unavailable"),

        /** The ledger cannot answer; nothing was let through: 503. */
        LEDGER_UNAVAILABLE(503, "ledger-unavailable", "Payment service unavailable"),

        /** The payer holds as many idempotency records as its share allows. */
        IDEMPOTENCY_RECORDS_EXHAUSTED(429, "idempotency-records-exhausted", "Too many idempotent requests"),

        /** The ledger's idempotency records as a whole are at capacity. */
        IDEMPOTENCY_STORE_FULL(503, "idempotency-store-full", "Idempotency records at capacity"),

        /** A request with the same idempotency key is still running: 409. */
        IDEMPOTENCY_IN_PROGRESS(409, "idempotency-key-in-use", "Request in progress"),

        /** The idempotency key was already used for a different request: 409. */
        IDEMPOTENCY_KEY_REUSED(409, "idempotency-key-reused", "Idempotency key reused"),

        /** The request was already processed and charged but its response cannot be replayed: 409. */
        ALREADY_PROCESSED(409, "already-processed", "Request already processed"),

        /** A header Tollgate reads is malformed (such as an over-long {@code Idempotency-Key}): 400. */
        MALFORMED_REQUEST(400, "malformed-request", "Malformed request"),

        /** The body of an idempotent request is larger than Tollgate keeps to fingerprint it: 413. */
        CONTENT_TOO_LARGE(413, "content-too-large", "Content too large");

        private final int status;
        private final String slug;
        private final String title;

        Kind(int status, String slug, String title) {
            this.status = status;
            this.slug = slug;
            this.title = title;
        }

        /** {@return the HTTP status} */
        public int status() {
            return status;
        }

        /** {@return the problem-type slug, such as {@code insufficient-funds}} */
        public String slug() {
            return slug;
        }

        /** {@return the short human title} */
        public String title() {
            return title;
        }
    }

    /** The IANA problem type for exhausted quotas: {@value}. */
    public static final String QUOTA_EXCEEDED_TYPE = "https://iana.org/assignments/http-problem-types#quota-exceeded";
}
