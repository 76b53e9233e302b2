package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Answer;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Rendering;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Turns a refusal into an {@link Answer}: the renderer's status, type, headers and body plus
 * Tollgate's protocol headers ({@code Cache-Control}, {@code Retry-After}, rate-limit state,
 * {@code WWW-Authenticate}, a payment scheme's offer), which replace renderer headers of the same name. A failing renderer is
 * logged and replaced by the default problem details. Immutable and thread-safe.
 */
final class AnswerRenderer {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private final TollgateConfig config;
    private final DenialRenderer renderer;
    private final ProblemDetailsRenderer fallback;

    AnswerRenderer(TollgateConfig config, DenialRenderer renderer) {
        this.config = config;
        this.renderer = renderer;
        this.fallback = new ProblemDetailsRenderer(config.problemTypeBase());
    }

    /**
     * Renders a refusal.
     *
     * @param denial the refusal
     * @param request the request
     * @param limit the rate-limit state to report, or {@code null}
     * @return the answer to send
     */
    Answer render(Denial denial, HttpServletRequest request, RateLimitDecision limit) {
        return render(denial, request, limit, List.of());
    }

    /**
     * Renders a refusal with a payment scheme's headers, which are protocol headers too: they
     * replace renderer headers of the same name, so a renderer cannot drop a scheme's challenge.
     *
     * @param denial the refusal
     * @param request the request
     * @param limit the rate-limit state to report, or {@code null}
     * @param schemeHeaders the payment schemes' headers, in order
     * @return the answer to send
     */
    Answer render(Denial denial, HttpServletRequest request, RateLimitDecision limit,
                  List<Map.Entry<String, String>> schemeHeaders) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "{0} {1} {2}: {3}", denial.status(), request.getMethod(),
                    request.getRequestURI(), denial.kind());
        }
        Rendering r;
        try {
            r = renderer.render(denial, request);
            if (r == null) {
                throw new IllegalStateException("renderer returned null");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Renderer " + renderer.getClass().getName()
                    + " failed; sending the default problem details", e);
            r = fallback.render(denial, request);
        }
        List<Map.Entry<String, String>> protocol = new ArrayList<>(8 + schemeHeaders.size());
        protocol.add(Map.entry("Cache-Control", "no-store"));
        if (denial.retryAfter() != null) {
            long s = Math.max(1, denial.retryAfter().getSeconds() + (denial.retryAfter().getNano() > 0 ? 1 : 0));
            protocol.add(Map.entry("Retry-After", Long.toString(s)));
        }
        if (limit != null) {
            rateLimitHeaders(limit, (n, v) -> protocol.add(Map.entry(n, v)));
        }
        if (r.status() == 401) {
            protocol.add(Map.entry("WWW-Authenticate", config.bearerTokens()
                    ? "Bearer realm=\"tollgate\"" : "ApiKey realm=\"tollgate\", header=\"" + config.apiKeyHeader() + "\""));
        }
        protocol.addAll(schemeHeaders);
        List<Map.Entry<String, String>> headers = new ArrayList<>(r.headers().size() + protocol.size());
        for (Map.Entry<String, String> h : r.headers()) {
            if (!ResponseWriter.named(protocol, h.getKey())) {
                headers.add(h);
            }
        }
        headers.addAll(protocol);
        return new Answer(r.status(), r.contentType(), headers, r.body());
    }

    /**
     * Gives the rate-limit headers of a decision in the configured style.
     *
     * @param limit the decision
     * @param out receives each header
     */
    void rateLimitHeaders(RateLimitDecision limit, BiConsumer<String, String> out) {
        TollgateConfig.HeaderStyle style = config.rateLimitHeaders();
        if (limit.states().isEmpty()) {
            return;
        }
        if (style == TollgateConfig.HeaderStyle.STANDARD || style == TollgateConfig.HeaderStyle.BOTH) {
            out.accept("RateLimit-Policy", limit.policyHeader());
            out.accept("RateLimit", limit.stateHeader());
        }
        if (style == TollgateConfig.HeaderStyle.LEGACY || style == TollgateConfig.HeaderStyle.BOTH) {
            RateLimitDecision.LimitState tight = limit.tightest();
            out.accept("X-RateLimit-Limit", Long.toString(tight.quota()));
            out.accept("X-RateLimit-Remaining", Long.toString(tight.remaining()));
            out.accept("X-RateLimit-Reset", Long.toString(tight.resetSeconds()));
        }
    }
}
