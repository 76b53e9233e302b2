package dev.tollgate.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A complete refusal as a {@link DenialRenderer} wants it sent.
 *
 * <p>Tollgate adds the protocol headers itself after the rendering's own (it replaces any of them
 * the rendering sets): {@code Cache-Control: no-store}, {@code Retry-After},
 * {@code RateLimit-Policy}/{@code RateLimit} and {@code WWW-Authenticate}, so a custom body can
 * never drop them by accident.
 *
 * @param status the HTTP status to send
 * @param contentType the {@code Content-Type}, such as {@code application/problem+json}
 * @param body the body bytes
 * @param headers further headers, in order
 */
public record Rendering(int status, String contentType, byte[] body, List<Map.Entry<String, String>> headers) {

    // Validates and copies.
    public Rendering {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status out of range: " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        body = body.clone();
        headers = headers.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    /** {@return a copy of the body} */
    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rendering r && status == r.status && contentType.equals(r.contentType)
                && java.util.Arrays.equals(body, r.body) && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, contentType, java.util.Arrays.hashCode(body), headers);
    }

    @Override
    public String toString() {
        return "Rendering[status=" + status + ", contentType=" + contentType + ", body=" + body.length
                + " bytes, headers=" + headers + "]";
    }
}
