package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.payment.Terms;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every refusal a client can see, with its text, built in one place (as Bucket4j builds its errors
 * in {@code BucketExceptions}): the steps of the request path say which refusal, this class says
 * what it reads. Stateless and thread-safe.
 */
public final class Refusals {

    /** How long a client waits after a rate limiter that could not answer. */
    private static final Duration LIMITER_RETRY = Duration.ofSeconds(1);

    private Refusals() {
    }

    /**
     * {@return 401: the resolver found a credential it cannot use}
     *
     * @param message the resolver's message, written for the client
     */
    public static Denial invalidCredentials(String message) {
        return Denial.of(Denial.Kind.INVALID_CREDENTIALS, message);
    }

    /**
     * {@return 401: an endpoint that needs an account got no credential}
     *
     * @param config where the credential goes
     */
    public static Denial accountNeeded(TollgateConfig config) {
        return Denial.of(Denial.Kind.INVALID_CREDENTIALS, "This endpoint needs an account: send its key in the "
                + config.apiKeyHeader() + " header" + (config.bearerTokens() ? " or as Authorization: Bearer <key>."
                : "."));
    }

    /** {@return 401: the ledger knows no account for the credential} */
    public static Denial unknownAccount() {
        return Denial.of(Denial.Kind.UNKNOWN_ACCOUNT, "No account matches the credential sent.");
    }

    /**
     * {@return 400: the request is malformed where Tollgate had to parse it}
     *
     * @param detail what is wrong, from {@link IdempotencyKeys}
     */
    public static Denial malformed(String detail) {
        return Denial.of(Denial.Kind.MALFORMED_REQUEST, detail);
    }

    /** Idempotency-Key texts, for {@link IdempotencyKeys}. */
    static final String KEY_REPEATED = "Send at most one Idempotency-Key header.";
    static final String KEY_QUOTED_BADLY = "The Idempotency-Key must not contain quotes or backslashes.";
    static final String KEY_EMPTY = "The Idempotency-Key header is empty.";
    static final String KEY_CHARACTERS = "The Idempotency-Key may only contain printable ASCII characters"
            + " without spaces.";

    static String keyTooLong(int max) {
        return "The Idempotency-Key is longer than " + max + " characters.";
    }

    /**
     * {@return 413: a request with an Idempotency-Key carries more than can be fingerprinted}
     *
     * @param max the bound in bytes
     */
    public static Denial contentTooLarge(int max) {
        return Denial.of(Denial.Kind.CONTENT_TOO_LARGE, "Requests with an Idempotency-Key may carry at most "
                + max + " bytes of content.");
    }

    /**
     * {@return 402: no credential was sent to a paid endpoint; offers the account scheme}
     *
     * @param terms the endpoint's payment terms
     * @param config where the credential goes
     */
    public static Denial paymentRequired(PaymentTerms terms, TollgateConfig config) {
        StringBuilder detail = new StringBuilder();
        if (!terms.price().isZero()) {
            detail.append("This endpoint costs ").append(amount(terms.price())).append(" per call");
            if (terms.entitlement() != null) {
                detail.append(" and requires the '").append(terms.entitlement()).append("' entitlement");
            }
        } else {
            detail.append("This endpoint requires the '").append(terms.entitlement()).append("' entitlement");
        }
        detail.append(". Send the key of an account that can pay in the ").append(config.apiKeyHeader())
                .append(" header").append(config.bearerTokens() ? " or as Authorization: Bearer <key>." : ".");
        List<PaymentOption> options = List.of(new PaymentOption(PaymentOption.ACCOUNT, terms.price(),
                "Present the key of a funded account.", Map.of("header", config.apiKeyHeader())));
        return new Denial(Denial.Kind.PAYMENT_REQUIRED, detail.toString(), terms.price(), null, terms.entitlement(),
                terms.description(), null, List.of(), options);
    }

    /**
     * {@return 402: no credential of any accepted scheme was sent to a paid endpoint that accepts
     * several; offers them all}
     *
     * @param terms the endpoint's payment terms
     * @param options every accepted scheme's options, in the order the schemes are accepted
     */
    public static Denial paymentRequired(Terms terms, List<PaymentOption> options) {
        // An entitlement no accepted scheme can grant leaves nothing to offer: say so rather than
        // point at an empty list.
        String how = options.isEmpty() ? ". None of the payment schemes this endpoint accepts can pay for it."
                : ". Pay in one of the ways listed in payment-options.";
        return new Denial(Denial.Kind.PAYMENT_REQUIRED, cost(terms) + how, terms.price(), null, terms.entitlement(),
                terms.description(), null, List.of(), options);
    }

    /**
     * {@return 402: a payment scheme definitively declined the payment when it was settled}
     *
     * @param detail the scheme's detail, for the client
     * @param terms the endpoint's payment terms
     * @param options the scheme's offer
     */
    public static Denial paymentDeclined(String detail, Terms terms, List<PaymentOption> options) {
        return new Denial(Denial.Kind.PAYMENT_DECLINED, detail, terms.price().isZero() ? null : terms.price(), null,
                terms.entitlement(), terms.description(), null, List.of(), options);
    }

    /** "This endpoint costs 1 credit per call", or the entitlement it requires. */
    private static String cost(Terms terms) {
        StringBuilder detail = new StringBuilder();
        if (!terms.price().isZero()) {
            detail.append("This endpoint costs ").append(amount(terms.price())).append(" per call");
            if (terms.entitlement() != null) {
                detail.append(" and requires the '").append(terms.entitlement()).append("' entitlement");
            }
        } else {
            detail.append("This endpoint requires the '").append(terms.entitlement()).append("' entitlement");
        }
        return detail.toString();
    }

    /**
     * {@return the refusal for a reservation the ledger denied}
     *
     * @param d the denial
     * @param terms the endpoint's payment terms
     * @param ledgerRetryAfter the wait when the ledger names none
     */
    public static Denial denied(Reservation.Denied d, Terms terms, Duration ledgerRetryAfter) {
        Money price = terms.price();
        Duration retryAfter = d.retryAfter() != null ? d.retryAfter() : ledgerRetryAfter;
        switch (d.reason()) {
            case UNKNOWN_ACCOUNT:
                return unknownAccount();
            case MISSING_ENTITLEMENT:
                return new Denial(Denial.Kind.ENTITLEMENT_REQUIRED, "This endpoint requires the '" + d.entitlement()
                        + "' entitlement, which this account does not hold.", price.isZero() ? null : price,
                        d.balance(), d.entitlement(), terms.description(), null, List.of(), d.paymentOptions());
            case CURRENCY_MISMATCH:
                return new Denial(Denial.Kind.CURRENCY_MISMATCH, "This endpoint is priced in " + price.currency()
                        + (d.balance() == null ? "" : "; the account is kept in " + d.balance().currency()) + ".",
                        price, d.balance(), null, terms.description(), null, List.of(), d.paymentOptions());
            case IDEMPOTENCY_RECORDS_EXHAUSTED:
                // Refused rather than dropping someone's record early: that record is what keeps a
                // retry from being charged twice.
                return Denial.of(Denial.Kind.IDEMPOTENCY_RECORDS_EXHAUSTED, "This account holds as many"
                        + " Idempotency-Key records as it may; nothing was charged. Retry later, or without an"
                        + " Idempotency-Key.").withRetryAfter(retryAfter);
            case IDEMPOTENCY_STORE_FULL:
                return Denial.of(Denial.Kind.IDEMPOTENCY_STORE_FULL, "Idempotency-Key records are at capacity;"
                        + " nothing was charged. Retry later, or without an Idempotency-Key.")
                        .withRetryAfter(retryAfter);
            case INSUFFICIENT_FUNDS:
            default:
                Denial funds = new Denial(Denial.Kind.INSUFFICIENT_FUNDS, "This call costs " + amount(price)
                        + (d.balance() == null ? "" : "; the balance is " + amount(d.balance()))
                        + (d.allowance() == null ? "" : allowanceDetail(d.allowance())) + ".", price,
                        d.balance(), null, terms.description(), null, List.of(),
                        // A ledger that lists no option still gets the built-ins' offer: every 402 says how to pay.
                        d.paymentOptions().isEmpty() ? PaymentOption.accountOptions(price) : d.paymentOptions());
                // Accounts without an allowance get exactly the body they always got.
                return d.allowance() == null ? funds : funds.withMembers(Map.of("allowance", allowance(d.allowance())));
        }
    }

    private static String allowanceDetail(Allowance.State a) {
        return ", and the '" + a.allowance().plan() + "' allowance has " + a.remaining().toPlainString() + " "
                + a.allowance().unit().name().toLowerCase(java.util.Locale.ROOT) + " left until "
                + a.resetsAt();
    }

    /**
     * {@return the {@code allowance} problem member: plan, unit, limit, used, remaining, resetsAt
     * (ISO-8601)}
     *
     * @param a the allowance's state
     */
    public static Map<String, Object> allowance(Allowance.State a) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("plan", a.allowance().plan());
        m.put("unit", a.allowance().unit().name().toLowerCase(java.util.Locale.ROOT));
        m.put("limit", a.allowance().limit());
        m.put("used", a.used());
        m.put("remaining", a.remaining());
        m.put("resetsAt", a.resetsAt().toString());
        return m;
    }

    /**
     * {@return 409: a request with the same Idempotency-Key is still running}
     *
     * @param retryAfter the ledger's estimate, or {@code null}
     */
    public static Denial idempotencyInProgress(Duration retryAfter) {
        return Denial.of(Denial.Kind.IDEMPOTENCY_IN_PROGRESS, "A request with this Idempotency-Key is still"
                + " being processed; retry after it completes.")
                .withRetryAfter(retryAfter == null ? Duration.ofSeconds(1) : retryAfter);
    }

    /** {@return 422: the Idempotency-Key was used for a different request} */
    public static Denial idempotencyKeyReused() {
        return Denial.of(Denial.Kind.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was already used for a"
                + " different request (method, path, query or body). Use a new key for a new request.");
    }

    /** {@return the refusal of a replay whose recorded body was not kept} */
    public static Denial alreadyProcessed() {
        return Denial.of(Denial.Kind.ALREADY_PROCESSED, "The request with this Idempotency-Key was already"
                + " processed and charged; its response cannot be replayed.");
    }

    /**
     * {@return 503: the ledger failed on reserve}
     *
     * @param retryAfter the configured wait
     */
    public static Denial ledgerUnavailable(Duration retryAfter) {
        return Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The payment service is unavailable; nothing was charged."
                + " Retry later.").withRetryAfter(retryAfter);
    }

    /**
     * {@return 503: the ledger failed when looking an account up}
     *
     * @param retryAfter the configured wait
     */
    public static Denial accountServiceUnavailable(Duration retryAfter) {
        return Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The account service is unavailable. Retry later.")
                .withRetryAfter(retryAfter);
    }

    /** {@return 503: a shared rate-limit store failed and the limits fail closed} */
    public static Denial rateLimiterUnavailable() {
        return Denial.of(Denial.Kind.RATE_LIMITER_UNAVAILABLE, "The rate limiter is unavailable. Retry later.")
                .withRetryAfter(LIMITER_RETRY);
    }

    /**
     * {@return 429: a rate limit is exhausted}
     *
     * @param limit the refused decision
     */
    public static Denial rateLimited(RateLimitDecision limit) {
        long seconds = limit.retryAfter().getSeconds();
        return new Denial(Denial.Kind.RATE_LIMITED, "Rate limit " + String.join(", ", limit.violatedPolicies())
                + " exceeded; retry in " + seconds + (seconds == 1 ? " second." : " seconds."),
                null, null, null, null, limit.retryAfter(), limit.violatedPolicies(), List.of());
    }

    /** Commit failed while the response could still be replaced (its detail; a 503). */
    static final String COMMIT_FAILED = "The payment service failed while confirming the charge. Retry later; a"
            + " charge recorded for this request is reversed.";

    /** The hold had expired when the endpoint finished (its detail; a 503). */
    static final String HOLD_OUTLIVED = "The request outlived its payment hold; nothing was charged. Retry later.";

    /** Released on an async timeout or error, then answered billably anyway (its detail; a 503). */
    static final String TIMED_OUT = "The request timed out; nothing was charged. Retry later.";

    /**
     * {@return 503 replacing a response whose charge did not go through}
     *
     * @param detail one of the settlement details above
     * @param retryAfter the configured wait
     */
    static Denial settlementFailed(String detail, Duration retryAfter) {
        return Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, detail).withRetryAfter(retryAfter);
    }

    /** {@return 503: an adapter's endpoint is priced but Tollgate is not running in the application} */
    public static Denial notRunning() {
        return Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The payment service is not running; nothing was charged.");
    }

    /**
     * {@return 503: a priced endpoint none of whose payment schemes offers a way to pay now (each
     * out of service)}
     *
     * @param retryAfter when to try again
     */
    static Denial noSchemeAvailable(Duration retryAfter) {
        return Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "None of the payment schemes this endpoint accepts can take"
                + " payments now; nothing was charged.").withRetryAfter(retryAfter);
    }

    /** {@return 503: an adapter's endpoint has invalid payment annotations} */
    public static Denial misconfigured() {
        return Denial.of(Denial.Kind.LEDGER_UNAVAILABLE,
                "This endpoint's payment terms are misconfigured; nothing was charged.");
    }

    /**
     * An amount as refusal text says it: {@code "1 credit"}, {@code "2 credits"}, {@code "0.5 credits"}.
     * Only a unit spelt as an English plural ("credits", "tokens") loses its "s", and only for exactly one.
     */
    static String amount(Money m) {
        String unit = m.currency();
        if (m.amount().compareTo(java.math.BigDecimal.ONE) == 0 && unit.length() > 1 && unit.endsWith("s")
                && Character.isLowerCase(unit.charAt(0))) {
            unit = unit.substring(0, unit.length() - 1);
        }
        return m.amount().toPlainString() + " " + unit;
    }
}
