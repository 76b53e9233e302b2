package dev.tollgate.internal;

import java.util.List;
import java.util.Map;

/**
 * A complete answer Tollgate gives instead of the endpoint's: a refusal, or the replay of a
 * recorded response. The servlet filter writes it to the container's response; the JAX-RS
 * adapter turns it into a {@code Response}.
 *
 * @param status the HTTP status
 * @param contentType the content type, or {@code null}
 * @param headers the other headers, in order (a name may repeat)
 * @param body the body
 */
public record Reply(int status, String contentType, List<Map.Entry<String, String>> headers, byte[] body) {

    // Copies the headers.
    public Reply {
        headers = List.copyOf(headers);
    }
}
