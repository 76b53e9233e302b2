package dev.tollgate.engine;

import dev.tollgate.Denial;
import dev.tollgate.InvalidPolicyException;
import jakarta.servlet.ServletException;
import dev.tollgate.internal.Enforcer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The engine of one web application, shared by every adapter (the servlet filter, the Jakarta REST
 * gate): it decides, adapters write. Get it from {@code Tollgate.engine()}.
 *
 * <p>Per request: {@link #policyFor} (once per endpoint, cached), {@link #admit} (dispatch rules,
 * payer, rate limits, payment) giving an {@link Answer} or a {@link Ticket}, then
 * {@link Ticket#settle} exactly once. Thread-safe. Ledger and rate-limit-store failures never
 * surface as exceptions: they become answers (503 by default, fail closed).
 */
public interface Engine {

    /**
     * The policy of a Jakarta REST resource method: its own {@code @RequiresPayment},
     * {@code @RateLimited} and {@code @Free}, else its class's. Read once per (class, method) and
     * cached for the application's lifetime.
     *
     * @param resourceClass the resource class the runtime matched
     * @param method the resource method, as the runtime reports it
     * @return the policy, or empty when the method is free
     * @throws InvalidPolicyException if its annotations are invalid (every time it is asked)
     */
    Optional<Endpoint> policyFor(Class<?> resourceClass, Method method);

    /**
     * Decides a request before its endpoint runs: payer, {@code Idempotency-Key}, rate limits,
     * payment. Writes nothing. May block on the ledger or a shared rate-limit store.
     *
     * @param endpoint the endpoint's policy
     * @param request the request (headers, client address and mapping are read)
     * @param entity the stream the endpoint reads its body from when that is not the servlet
     *     request's (Jakarta REST); {@code null} to read the servlet request's
     * @return an answer to send instead of the endpoint, or a ticket to settle exactly once
     * @throws IOException if reading the body for an {@code Idempotency-Key} fingerprint fails
     * @throws ServletException if the container fails to parse a form or multipart body
     */
    Admission admit(Endpoint endpoint, HttpServletRequest request, InputStream entity)
            throws IOException, ServletException;

    /**
     * Renders a refusal as Tollgate renders its own: by the configured renderer (the default
     * problem details if it fails), plus {@code Cache-Control: no-store}, {@code Retry-After} and
     * {@code WWW-Authenticate} as they apply.
     *
     * @param denial the refusal
     * @param request the request
     * @return the answer to send
     */
    Answer refusal(Denial denial, HttpServletRequest request);

    /**
     * {@return the policy enforced on an earlier dispatch of this request that makes enforcing
     * {@code endpoint} again wrong (it would charge or count twice), or empty} A paid endpoint
     * behind a merely limited one is still enforced.
     *
     * @param request the request
     * @param endpoint the endpoint about to be enforced
     */
    Optional<Endpoint> coveredBy(HttpServletRequest request, Endpoint endpoint);

    /**
     * Records that an adapter enforced {@code endpoint} on this request, so later dispatches (and
     * the servlet filter) do not enforce it again.
     *
     * @param request the request
     * @param endpoint the endpoint enforced
     */
    void enforced(HttpServletRequest request, Endpoint endpoint);

    /**
     * Hands a paid ticket to the servlet filter's backstop: if the request ends (returns, throws,
     * or completes asynchronously) without the adapter settling it, the filter
     * {@linkplain Ticket#abandon abandons} it. For adapters whose runtime may skip their response
     * step (an exception no JAX-RS mapper handles). Needs {@link #expectAdapters} once.
     *
     * @param request the request
     * @param ticket the ticket
     */
    void backstop(HttpServletRequest request, Ticket ticket);

    /**
     * Asks the servlet filter to abort a response that was broken off after its first (charged)
     * bytes had left, when the adapter's runtime would end it as if complete: the filter throws
     * {@code cause} on to the container, so the client can tell. Only for a request that ends on
     * the thread that ran the filter.
     *
     * @param request the request
     * @param cause why the response broke off
     */
    void abortResponse(HttpServletRequest request, Throwable cause);

    /**
     * Makes the servlet filter run backstops of requests it does not enforce itself, and leave the
     * adapter's servlet to the adapter: configured path policies do not apply to it.
     *
     * @param servletName the servlet whose requests the adapter enforces, or {@code null} when unknown
     */
    void expectAdapters(String servletName);

    /** {@return the most response bytes held back and kept for replays (larger ones are streamed)} */
    int maxResponseBytes();

    /**
     * Reads and drops the unread body of a request answered without its endpoint when it is small
     * and the client is not waiting for {@code 100 Continue}; else tells whether an HTTP/1.x answer
     * must say {@code Connection: close} (a container that finds unread content may otherwise close
     * the connection without warning).
     *
     * @param request the request
     * @param body the stream the body is read from, or {@code null} for the servlet request's
     * @return whether the answer must carry {@code Connection: close}
     */
    static boolean mustCloseAfterAnswer(HttpServletRequest request, InputStream body) {
        return Enforcer.mustCloseAfterAnswer(request, body);
    }

    /**
     * Writes an answer to a servlet response as the servlet filter does (the body of an unread
     * request dealt with, {@code HEAD} without bytes); logs and does nothing when the response is
     * committed already.
     *
     * @param answer the answer
     * @param request the request
     * @param response the container's response, not committed
     * @throws IOException if writing fails
     */
    static void write(Answer answer, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Enforcer.write(answer, request, response);
    }

    /**
     * {@return whether a header of a recorded response is repeated by its replays} (framing,
     * per-connection and per-response headers are not)
     *
     * @param name the header name
     */
    static boolean isReplayedHeader(String name) {
        return Enforcer.isReplayedHeader(name);
    }
}
