package dev.tollgate.engine;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A complete answer Tollgate gives instead of the endpoint's: a refusal (402, 429, 401, 503…), or
 * the replay of a recorded response. The adapter sends it as it is: status, content type, headers
 * in order (a name may repeat: the first replaces what the response had, later ones add to it), and
 * body. Immutable and thread-safe (the body array is not copied: do not modify it).
 *
 * @param status the HTTP status
 * @param contentType the content type, or {@code null}
 * @param headers the other headers, in order
 * @param body the body, never {@code null}
 */
public record Answer(int status, String contentType, List<Map.Entry<String, String>> headers, byte[] body)
        implements Admission {

    // Copies the headers; requires a body.
    public Answer {
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }
}
