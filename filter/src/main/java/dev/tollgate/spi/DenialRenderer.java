package dev.tollgate.spi;

import dev.tollgate.Denial;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Turns a {@link Denial} (402, 429, 401, 409, 400, 413, 503) into a response: status, content
 * type, body and extra headers. The default,
 * {@link dev.tollgate.ProblemDetailsRenderer}, writes RFC 9457
 * {@code application/problem+json} with JSON-B; replace it to negotiate content, serve an HTML
 * page to browsers or use another JSON shape, and delegate to the default for what you do not
 * handle.
 *
 * <p>Implementations must be thread-safe and must not throw: a renderer that throws is logged and
 * replaced, for that response, by the default rendering.
 *
 * <p>Named in {@code tollgate.renderer}, a class needs a public constructor taking a
 * {@code Map<String, String>} (every {@code tollgate.*} parameter, for settings of its own) or none.
 */
@FunctionalInterface
public interface DenialRenderer {

    /**
     * Renders a refusal.
     *
     * @param denial what was refused and why
     * @param request the refused request (read-only: do not consume its body)
     * @return the response to send
     */
    Rendering render(Denial denial, HttpServletRequest request);
}
