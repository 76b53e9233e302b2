package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Answer;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.payment.MalformedCredentialException;
import dev.tollgate.spi.payment.PaymentScheme;
import dev.tollgate.spi.payment.Reserved;
import dev.tollgate.spi.payment.Terms;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Admission as a pipeline of small steps, each returning a decision: identify the payer
 * ({@link PayerIdentification}), parse the {@code Idempotency-Key} ({@link IdempotencyKeys}), take
 * the rate limits ({@link RateLimitStep}), choose the payment scheme whose credential the request
 * carries and reserve with it ({@link PaymentSchemes}; the account scheme reserves on the ledger
 * through {@link Reservations}). The first refusal ends
 * it as an {@link Answer} (text from {@link Refusals}); an admitted call becomes a ticket
 * ({@link SettlementOnce}). Writes nothing. Thread-safe.
 */
final class AdmissionPipeline {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private final TollgateConfig config;
    private final RateLimiter limiter;
    private final PayerIdentification payers;
    private final RateLimitStep limits;
    private final PaymentSchemes schemes;
    private final AnswerRenderer answers;
    private final SettlementOnce.Parts ticketParts;
    /** The ticket of every free call whose outcome nobody needs; stateless, as it has no hold and no limit. */
    private final SettlementOnce freeTicket;
    private final IdempotencyKeys keys = new IdempotencyKeys();
    /** Who hears each decision; {@code null} when nobody listens (then no event is built). */
    private final EventSink events;

    AdmissionPipeline(TollgateConfig config, RateLimiter limiter, PayerIdentification payers, RateLimitStep limits,
                      PaymentSchemes schemes, AnswerRenderer answers) {
        this(config, limiter, payers, limits, schemes, answers, null);
    }

    AdmissionPipeline(TollgateConfig config, RateLimiter limiter, PayerIdentification payers, RateLimitStep limits,
                      PaymentSchemes schemes, AnswerRenderer answers, EventSink events) {
        this.events = events;
        this.config = config;
        this.limiter = limiter;
        this.payers = payers;
        this.limits = limits;
        this.schemes = schemes;
        this.answers = answers;
        this.ticketParts = new SettlementOnce.Parts(config, limits, answers, events);
        this.freeTicket = new SettlementOnce(ticketParts, null, null, null, null, null, null, null, null, null, false,
                null, null);
    }

    /**
     * The admission pipeline. Each step returns a decision; the first refusal ends it.
     *
     * @param headers receives headers for the response before any answer (rate-limit state)
     */
    Admission admit(Policy policy, HttpServletRequest request, InputStream entity,
                    BiConsumer<String, String> headers, List<Map.Entry<String, String>> collected)
            throws IOException, ServletException {
        Payer payer;
        try {
            payer = payers.resolve(request);
        } catch (InvalidCredentialsException e) {
            return early(policy, Refusals.invalidCredentials(e.getMessage()), request, null);
        }

        String idempotencyKey = null;
        if (policy.isPaid()) {
            try {
                idempotencyKey = IdempotencyKeys.parse(request);
            } catch (IllegalArgumentException e) {
                return early(policy, Refusals.malformed(e.getMessage()), request, null);
            }
        }

        RateLimitDecision limit = null;
        if (policy.isLimited()) {
            RateLimitStep.Outcome checked = limits.check(policy, payer, request);
            if (checked.refusal() != null) {
                return early(policy, checked.refusal(), request, checked.limit());
            }
            limit = checked.limit();
            answers.rateLimitHeaders(limit, headers);
        }

        if (!policy.isPaid()) {
            if (events != null) {
                events.passed(policy);
            }
            if (collected == null && (limit == null || !RateLimiter.needsOutcome(limit))) {
                return freeTicket; // nothing to settle, no headers to carry: one shared ticket
            }
            return new SettlementOnce(ticketParts, request, null, null, null, null, null, limit, null, null, false,
                    null, collected);
        }

        PaymentTerms policyTerms = policy.payment();
        Terms terms = policyTerms.terms(); // built once with the policy
        PaymentSchemes.Accepted accepted;
        try {
            accepted = schemes.acceptedBy(policyTerms);
        } catch (IllegalStateException e) {
            // Only a Jakarta REST resource, read on first use, can get here; servlets are checked at start.
            LOG.log(System.Logger.Level.ERROR, terms.resource() + ": " + e.getMessage());
            return refuse(policy, Refusals.misconfigured(), request, limit, List.of());
        }
        if (!accepted.accountOnly()) {
            terms = terms.withRequest(request); // other schemes may echo the request (x402 names the URL)
        }
        // The first accepted scheme whose credential the request carries handles it. The account
        // scheme's credential is the payer identified above (rate limits key by it).
        PaymentScheme<Object, Object> scheme = null;
        Object credential = null;
        List<PaymentScheme<Object, Object>> candidates = accepted.schemes();
        for (int i = 0; i < candidates.size(); i++) { // indexed: no iterator per paid request
            PaymentScheme<Object, Object> s = candidates.get(i);
            if (s == (Object) accepted.account()) {
                credential = payer;
            } else {
                try {
                    credential = s.credential(request);
                } catch (MalformedCredentialException e) {
                    return refuse(policy, Refusals.malformed(e.getMessage()), request, limit, List.of());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "Payment scheme " + s.name() + " failed to read the"
                            + " credential (treated as unavailable)", e);
                    return refuse(policy, Refusals.ledgerUnavailable(config.ledgerRetryAfter()), request, limit,
                            List.of());
                }
            }
            if (credential != null) {
                scheme = s;
                break;
            }
        }
        if (scheme == null) {
            PaymentSchemes.Offered offered = schemes.paymentRequired(accepted, policyTerms, terms);
            return refuse(policy, offered.denial(), request, limit, offered.headers());
        }

        byte[] body = null;
        Idempotency idempotency;
        if (idempotencyKey != null) {
            RequestFingerprint.Result fp;
            try {
                fp = entity == null ? RequestFingerprint.of(request, policy.servletName(), config.maxRequestBytes())
                        : RequestFingerprint.of(request, policy.servletName(), config.maxRequestBytes(), entity);
            } catch (ContentTooLargeException e) {
                return refuse(policy, Refusals.contentTooLarge(config.maxRequestBytes()), request, limit, List.of());
            }
            body = fp.body();
            idempotency = new Idempotency(idempotencyKey, fp.digest(), true);
        } else {
            idempotency = new Idempotency(keys.generate(), "", false);
        }

        Reserved<Object> reserved;
        long start = events == null ? 0 : System.nanoTime();
        try {
            reserved = scheme.reserve(credential, terms, idempotency);
            if (reserved == null) {
                throw new IllegalStateException("reserve returned null");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Payment scheme " + scheme.name() + " failed to reserve (treated as"
                    + " unavailable)", e);
            if (events != null) {
                events.ledgerCall(scheme.name(), TollgateEvent.Operation.RESERVE, start, true);
                events.ledgerFailed(scheme.name(), TollgateEvent.Operation.RESERVE, e);
            }
            return refuse(policy, Refusals.ledgerUnavailable(config.ledgerRetryAfter()), request, limit, List.of());
        }
        if (events != null) {
            events.ledgerCall(scheme.name(), TollgateEvent.Operation.RESERVE, start,
                    reserved instanceof Reserved.Refused<Object> r && r.denial().kind() == Denial.Kind.LEDGER_UNAVAILABLE);
        }
        if (reserved instanceof Reserved.Held<Object> held) {
            SettlementOnce ticket = new SettlementOnce(ticketParts, request, scheme, held.handle(), terms, policy,
                    held.hold(), limit, held.payer(), held.balance(), idempotencyKey != null || held.recordResponse(),
                    body, collected);
            if (events != null) {
                Hold hold = held.hold();
                events.emit(new TollgateEvent.Admitted(events.now(), policy.servletName(), policy.method(),
                        scheme.name(), hold.account(), hold.amount(), hold.id()));
            }
            return policyTerms.metered() ? ticket.metered() : ticket;
        } else if (reserved instanceof Reserved.Refused<Object> refused) {
            return refuse(policy, refused.denial(), request, limit, refused.headers());
        } else if (reserved instanceof Reserved.Replayed<Object> replay) {
            Answer answer = replay(policy, replay.response(), request, limit);
            if (limit != null) {
                limiter.settle(limit, replay.response().status() < 400);
            }
            return answer;
        }
        throw new IllegalStateException("unknown reservation " + reserved);
    }

    /** A refusal up to the rate-limit check. */
    private Answer early(Policy policy, Denial denial, HttpServletRequest request, RateLimitDecision limit) {
        if (events != null) {
            events.refused(policy, denial);
        }
        return answers.render(denial, request, limit);
    }

    /** A refusal after the rate-limit check: the request did not succeed, for count modes. */
    private Answer refuse(Policy policy, Denial denial, HttpServletRequest request, RateLimitDecision limit,
                          List<Map.Entry<String, String>> schemeHeaders) {
        if (events != null) {
            events.refused(policy, denial);
        }
        Answer answer = answers.render(denial, request, limit, schemeHeaders);
        if (limit != null) {
            limiter.settle(limit, false);
        }
        return answer;
    }

    /** The recorded response of an earlier request with the same Idempotency-Key, marked as replayed. */
    private Answer replay(Policy policy, RecordedResponse recorded, HttpServletRequest request,
                          RateLimitDecision limit) {
        if (!recorded.bodyRetained()) {
            return early(policy, Refusals.alreadyProcessed(), request, limit);
        }
        if (events != null) {
            events.emit(new TollgateEvent.Replayed(events.now(), policy.servletName(), policy.method(),
                    recorded.status()));
        }
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "replaying {0} for {1}", recorded.status(), request.getRequestURI());
        }
        String contentType = null;
        List<Map.Entry<String, String>> headers = new ArrayList<>(recorded.headers().size() + 1);
        for (Map.Entry<String, String> h : recorded.headers()) {
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                contentType = h.getValue();
            } else {
                headers.add(h);
            }
        }
        headers.add(Map.entry("Idempotent-Replayed", "true"));
        return new Answer(recorded.status(), contentType, headers, recorded.body());
    }

}
