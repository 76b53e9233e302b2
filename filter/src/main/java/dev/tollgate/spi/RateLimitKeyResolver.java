package dev.tollgate.spi;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Computes what a {@code @RateLimited(key = KeyBy.CUSTOM, resolver = …)} limit counts by, such as a
 * tenant id from a verified token. Implementations need a public no-argument constructor, are created
 * once at start-up and must be thread-safe and fast. Never derive a key from a header a client can
 * forge unless forging it gains nothing.
 */
@FunctionalInterface
public interface RateLimitKeyResolver {

    /**
     * Computes the key of a request.
     *
     * @param request the request
     * @param payer the payer, when identified and confirmed by the ledger; else {@code null}
     * @return the key, or {@code null} or empty to count the request by its client address
     */
    String key(HttpServletRequest request, Payer payer);
}
