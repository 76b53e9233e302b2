package dev.tollgate.internal;

import java.io.IOException;

/**
 * Where the engine sends what it decides for one request before the endpoint runs: headers for
 * the eventual response, or an answer that replaces the endpoint's. The servlet filter writes to
 * the container's response; the JAX-RS adapter keeps both for its filters.
 */
public interface Exchange {

    /**
     * Sets a header on the response the endpoint will give (rate-limit state).
     *
     * @param name the header name
     * @param value the value
     */
    void header(String name, String value);

    /**
     * Answers the request instead of the endpoint.
     *
     * @param reply the answer
     * @throws IOException if writing it fails
     */
    void answer(Reply reply) throws IOException;
}
