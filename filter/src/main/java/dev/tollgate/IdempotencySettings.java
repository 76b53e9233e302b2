package dev.tollgate;

import java.util.Set;

/**
 * The bounds of idempotent requests ({@code Idempotency-Key}): how much of a request is read to
 * fingerprint it and how much of a response is kept to replay it.
 *
 * <table>
 *   <caption>Idempotency parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #MAX_REQUEST_BYTES}</td><td>{@code 1048576}</td><td>the largest body of a request
 *       with an {@code Idempotency-Key} (it is read to fingerprint the request); larger ones get
 *       {@code 413}</td></tr>
 *   <tr><td>{@value #MAX_RESPONSE_BYTES}</td><td>{@code 1048576}</td><td>the largest response body kept
 *       for replay; a retry of a larger one gets {@code 409}</td></tr>
 * </table>
 * A parameter above {@link Integer#MAX_VALUE} counts as {@link Integer#MAX_VALUE}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxRequestBytes the largest body of a request with an {@code Idempotency-Key}, at least 0
 * @param maxResponseBytes the largest response body kept for replay, at least 0
 */
public record IdempotencySettings(int maxRequestBytes, int maxResponseBytes) {

    /** Parameter: the largest fingerprinted request body. */
    public static final String MAX_REQUEST_BYTES = "tollgate.idempotency.maxRequestBytes";
    /** Parameter: the largest replayable response body. */
    public static final String MAX_RESPONSE_BYTES = "tollgate.idempotency.maxResponseBytes";

    static final Set<String> NAMES = Set.of(MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES);
    static final IdempotencySettings DEFAULTS = new IdempotencySettings(1024 * 1024, 1024 * 1024);

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param maxRequestBytes the largest body of a request with an {@code Idempotency-Key}, at least 0
     * @param maxResponseBytes the largest response body kept for replay, at least 0
     * @throws IllegalArgumentException if a bound is negative; the message names the parameter and the value
     */
    public IdempotencySettings {
        if (maxRequestBytes < 0) {
            throw new InvalidParameterException(MAX_REQUEST_BYTES, maxRequestBytes, "must not be negative");
        }
        if (maxResponseBytes < 0) {
            throw new InvalidParameterException(MAX_RESPONSE_BYTES, maxResponseBytes, "must not be negative");
        }
    }

    IdempotencySettings withMaxRequestBytes(int bytes) {
        return new IdempotencySettings(bytes, maxResponseBytes);
    }

    IdempotencySettings withMaxResponseBytes(int bytes) {
        return new IdempotencySettings(maxRequestBytes, bytes);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    IdempotencySettings with(String name, String text) {
        return switch (name) {
            case MAX_REQUEST_BYTES -> withMaxRequestBytes(ParameterText.clampedInt(name, text));
            case MAX_RESPONSE_BYTES -> withMaxResponseBytes(ParameterText.clampedInt(name, text));
            default -> this;
        };
    }
}
