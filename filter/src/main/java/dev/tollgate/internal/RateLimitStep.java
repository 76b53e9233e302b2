package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.spi.Payer;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;

/**
 * The rate-limit step of admission: confirms the payer's key when a limit counts by it (or plans
 * need its entitlements), then takes the tokens. Returns a decision; writes nothing. Thread-safe.
 *
 * <p>A key the ledger has not confirmed yet is looked up first, and only then counted, as itself.
 * The look-up spends from its client address's look-up budget ({@link RateLimiter#checkKeyLookup}),
 * not from the endpoint's limits: anonymous traffic from the same address cannot starve valid keys,
 * and a flood of invented keys reaches the ledger at most as often as the budget allows. A key the
 * ledger does not know gets {@code 401} (and is remembered as unknown for a few seconds). Renewing
 * the confirmation of a key confirmed in the last minutes spends no budget. Plans need the payer's
 * entitlements, looked up once and cached briefly.
 */
final class RateLimitStep {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /**
     * The step's decision: admitted with {@code limit}, or refused with {@code refusal} (then
     * {@code limit} is the state to report in it, or {@code null}).
     *
     * @param limit the decision to report or settle
     * @param refusal the refusal, or {@code null} when admitted
     */
    record Outcome(RateLimitDecision limit, Denial refusal) {
    }

    private final RateLimiter limiter;
    private final PayerIdentification payers;

    RateLimitStep(RateLimiter limiter, PayerIdentification payers) {
        this.limiter = limiter;
        this.payers = payers;
    }

    /**
     * Checks the rate limits of a request.
     *
     * @param policy a limited policy
     * @param payer the payer, or {@code null}
     * @param request the request
     * @return the outcome
     */
    Outcome check(Policy policy, Payer payer, HttpServletRequest request) {
        PayerIdentification.Known known = payer == null ? null : payers.known(payer);
        boolean confirmed = known != null || payer != null && !PayerIdentification.needsConfirmation(payer);
        boolean lookup = payer != null && (policy.keysBy(KeyBy.PAYER) && known == null
                && PayerIdentification.needsConfirmation(payer)
                || policy.hasPlans() && (known == null || known.entitlements() == null));
        Set<String> entitlements = known == null ? null : known.entitlements();
        if (lookup) {
            RateLimitDecision budget = null;
            if (!confirmed) {
                if (payers.knownUnknown(payer)) {
                    return new Outcome(null, Refusals.unknownAccount());
                }
                if (!payers.vouched(payer)) {
                    budget = limiter.checkKeyLookup(policy, request);
                    if (!budget.admitted()) {
                        return refused(budget, policy, request);
                    }
                }
            }
            PayerIdentification.Lookup account = payers.account(payer);
            if (account.refusal() != null) {
                return new Outcome(budget, account.refusal());
            }
            // A real key gives its look-up token back, so only unknown keys spend the budget.
            limiter.keyConfirmed(budget);
            payer = account.payer();
            entitlements = account.account().entitlements();
        }
        RateLimitDecision limit = limiter.check(policy, policy.tierFor(entitlements), request,
                confirmed || lookup ? payer : null);
        if (!limit.admitted()) {
            return refused(limit, policy, request);
        }
        return new Outcome(limit, null);
    }

    private static Outcome refused(RateLimitDecision limit, Policy policy, HttpServletRequest request) {
        if (limit.storeRefused()) {
            return new Outcome(limit, Refusals.rateLimiterUnavailable());
        }
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "429 {0} {1}: {2}", request.getMethod(), policy.origin(),
                    limit.violatedPolicies());
        }
        return new Outcome(limit, Refusals.rateLimited(limit));
    }

    /**
     * Tells count-mode limits how the request ended; does nothing for limits that count every request.
     *
     * @param limit the decision, or {@code null}
     * @param success whether the request succeeded
     */
    void settle(RateLimitDecision limit, boolean success) {
        if (limit != null && RateLimiter.needsOutcome(limit)) {
            limiter.settle(limit, success);
        }
    }
}
