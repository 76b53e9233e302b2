package dev.tollgate.internal;

import dev.tollgate.spi.Idempotency;
import jakarta.servlet.http.HttpServletRequest;
import java.security.SecureRandom;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code Idempotency-Key} of a paid request: the client's, parsed strictly, or one generated
 * per request when there is none (so every charge carries a key). Thread-safe.
 */
final class IdempotencyKeys {

    private static final String HEADER = "Idempotency-Key";

    /** Random per engine, so generated keys of two applications or restarts never meet. */
    private final String prefix;
    private final AtomicLong sequence = new AtomicLong();

    IdempotencyKeys() {
        byte[] seed = new byte[8];
        new SecureRandom().nextBytes(seed);
        this.prefix = "tg-" + HexFormat.of().formatHex(seed) + "-";
    }

    /** {@return a fresh key for a request that sent none} */
    String generate() {
        return prefix + Long.toString(sequence.incrementAndGet(), 36);
    }

    /**
     * {@return the client's key, or {@code null} when it sent none}
     *
     * @param request the request
     * @throws IllegalArgumentException with a client-facing message if the header is malformed
     */
    static String parse(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders(HEADER);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String raw = values.nextElement();
        if (values.hasMoreElements()) {
            throw new IllegalArgumentException(Refusals.KEY_REPEATED);
        }
        String key = raw == null ? "" : raw.strip();
        // The IETF draft makes the value a structured-field string ("..."); bare keys are common too.
        if (key.length() >= 2 && key.charAt(0) == '"' && key.charAt(key.length() - 1) == '"') {
            key = key.substring(1, key.length() - 1);
            if (key.indexOf('"') >= 0 || key.indexOf('\\') >= 0) {
                throw new IllegalArgumentException(Refusals.KEY_QUOTED_BADLY);
            }
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException(Refusals.KEY_EMPTY);
        }
        if (key.indexOf('"') >= 0 || key.indexOf('\\') >= 0) {
            throw new IllegalArgumentException(Refusals.KEY_QUOTED_BADLY);
        }
        if (key.length() > Idempotency.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(Refusals.keyTooLong(Idempotency.MAX_KEY_LENGTH));
        }
        if (!Idempotency.isValidKey(key)) {
            throw new IllegalArgumentException(Refusals.KEY_CHARACTERS);
        }
        return key;
    }
}
