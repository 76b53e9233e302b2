package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Answer;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
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
 * the rate limits ({@link RateLimitStep}), reserve ({@link Reservations}). The first refusal ends
 * it as an {@link Answer} (text from {@link Refusals}); an admitted call becomes a ticket
 * ({@link SettlementOnce}). Writes nothing. Thread-safe.
 */
final class AdmissionPipeline {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private final TollgateConfig config;
    private final RateLimiter limiter;
    private final PayerIdentification payers;
    private final RateLimitStep limits;
    private final Reservations reservations;
    private final AnswerRenderer answers;
    private final SettlementOnce.Parts ticketParts;
    /** The ticket of every free call whose outcome nobody needs; stateless, as it has no hold and no limit. */
    private final SettlementOnce freeTicket;
    private final IdempotencyKeys keys = new IdempotencyKeys();

    AdmissionPipeline(TollgateConfig config, RateLimiter limiter, PayerIdentification payers, RateLimitStep limits,
                      Reservations reservations, AnswerRenderer answers) {
        this.config = config;
        this.limiter = limiter;
        this.payers = payers;
        this.limits = limits;
        this.reservations = reservations;
        this.answers = answers;
        this.ticketParts = new SettlementOnce.Parts(config, reservations, limits, answers);
        this.freeTicket = new SettlementOnce(ticketParts, null, null, null, null, null, false, null, null);
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
            return answers.render(Refusals.invalidCredentials(e.getMessage()), request, null);
        }

        String idempotencyKey = null;
        if (policy.isPaid()) {
            try {
                idempotencyKey = IdempotencyKeys.parse(request);
            } catch (IllegalArgumentException e) {
                return answers.render(Refusals.malformed(e.getMessage()), request, null);
            }
        }

        RateLimitDecision limit = null;
        if (policy.isLimited()) {
            RateLimitStep.Outcome checked = limits.check(policy, payer, request);
            if (checked.refusal() != null) {
                return answers.render(checked.refusal(), request, checked.limit());
            }
            limit = checked.limit();
            answers.rateLimitHeaders(limit, headers);
        }

        if (!policy.isPaid()) {
            if (collected == null && (limit == null || !RateLimiter.needsOutcome(limit))) {
                return freeTicket; // nothing to settle, no headers to carry: one shared ticket
            }
            return new SettlementOnce(ticketParts, request, null, limit, null, null, false, null, collected);
        }

        PaymentTerms terms = policy.payment();
        if (payer == null) {
            return refuse(Refusals.paymentRequired(terms, config), request, limit);
        }

        byte[] body = null;
        Idempotency idempotency;
        if (idempotencyKey != null) {
            RequestFingerprint.Result fp;
            try {
                fp = entity == null ? RequestFingerprint.of(request, policy.servletName(), config.maxRequestBytes())
                        : RequestFingerprint.of(request, policy.servletName(), config.maxRequestBytes(), entity);
            } catch (ContentTooLargeException e) {
                return refuse(Refusals.contentTooLarge(config.maxRequestBytes()), request, limit);
            }
            body = fp.body();
            idempotency = new Idempotency(idempotencyKey, fp.digest(), true);
        } else {
            idempotency = new Idempotency(keys.generate(), "", false);
        }

        Charge charge = new Charge(payer.accountId(), terms.price(), terms.entitlement(), terms.resource(), idempotency);
        Reservation reservation = reservations.reserve(charge);
        if (reservation == null) {
            return refuse(Refusals.ledgerUnavailable(config.ledgerRetryAfter()), request, limit);
        }
        if (!(reservation instanceof Reservation.Denied d && d.reason() == dev.tollgate.spi.DenialReason.UNKNOWN_ACCOUNT)) {
            payers.verified(payer, null);
        }
        if (reservation instanceof Reservation.Authorized authorized) {
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "hold {0} for {1} {2}", authorized.hold().id(), terms.resource(),
                        terms.price());
            }
            SettlementOnce ticket = new SettlementOnce(ticketParts, request, authorized.hold(), limit, payer,
                    authorized.balance(), idempotencyKey != null, body, collected);
            return terms.metered() ? ticket.metered() : ticket;
        } else if (reservation instanceof Reservation.Denied denied) {
            return refuse(Refusals.denied(denied, terms, config.ledgerRetryAfter()), request, limit);
        } else if (reservation instanceof Reservation.Replay replay) {
            Answer answer = replay(replay.response(), request, limit);
            if (limit != null) {
                limiter.settle(limit, replay.response().status() < 400);
            }
            return answer;
        } else if (reservation instanceof Reservation.Conflict conflict) {
            return refuse(conflict.kind() == Reservation.ConflictKind.IN_PROGRESS
                    ? Refusals.idempotencyInProgress(conflict.retryAfter()) : Refusals.idempotencyKeyReused(),
                    request, limit);
        }
        throw new IllegalStateException("unknown reservation " + reservation);
    }

    /** A refusal after the rate-limit check: the request did not succeed, for count modes. */
    private Answer refuse(Denial denial, HttpServletRequest request, RateLimitDecision limit) {
        Answer answer = answers.render(denial, request, limit);
        if (limit != null) {
            limiter.settle(limit, false);
        }
        return answer;
    }

    /** The recorded response of an earlier request with the same Idempotency-Key, marked as replayed. */
    private Answer replay(RecordedResponse recorded, HttpServletRequest request, RateLimitDecision limit) {
        if (!recorded.bodyRetained()) {
            return answers.render(Refusals.alreadyProcessed(), request, limit);
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
