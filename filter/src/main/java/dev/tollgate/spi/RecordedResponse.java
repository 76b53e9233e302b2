package dev.tollgate.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The response of a completed, charged request that carried a client {@code Idempotency-Key},
 * kept by the ledger so that a retry gets the same answer without paying again.
 *
 * @param status the HTTP status
 * @param headers the response headers to replay, in order (no {@code Set-Cookie})
 * @param body the body bytes; empty when not retained
 * @param bodyRetained false when the body was too large (or written out of Tollgate's sight) to
 *     keep; a retry is then refused with {@code 409} instead of a replay
 */
public record RecordedResponse(int status, List<Map.Entry<String, String>> headers, byte[] body, boolean bodyRetained) {

    // Validates and copies.
    public RecordedResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status out of range: " + status);
        }
        headers = headers.stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        body = body.clone();
    }

    /** {@return a copy of the body bytes} */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** {@return the number of body bytes kept} */
    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordedResponse r && status == r.status && bodyRetained == r.bodyRetained
                && headers.equals(r.headers) && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body), bodyRetained);
    }

    @Override
    public String toString() {
        return "RecordedResponse[status=" + status + ", headers=" + headers + ", body=" + body.length
                + " bytes, bodyRetained=" + bodyRetained + "]";
    }
}
