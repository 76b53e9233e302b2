package dev.tollgate;

import java.util.Set;

/**
 * How the built-in {@link HeaderPayerResolver} finds a payer's API key (and what refusals tell a
 * client about where to send one).
 *
 * <table>
 *   <caption>Identification parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #API_KEY_HEADER}</td><td>{@code X-API-Key}</td><td>the header the built-in
 *       resolver reads API keys from</td></tr>
 *   <tr><td>{@value #BEARER_TOKENS}</td><td>{@code true}</td><td>whether the built-in resolver also
 *       accepts {@code Authorization: Bearer <key>} (turn off when bearer tokens mean something else
 *       in your application)</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 *
 * @param apiKeyHeader the header carrying API keys: an HTTP token
 * @param bearerTokens whether {@code Authorization: Bearer <key>} identifies payers too
 */
public record IdentificationSettings(String apiKeyHeader, boolean bearerTokens) {

    /** Parameter: the API key header. */
    public static final String API_KEY_HEADER = "tollgate.apiKeyHeader";
    /** Parameter: whether bearer tokens identify payers. */
    public static final String BEARER_TOKENS = "tollgate.bearerTokens";

    static final Set<String> NAMES = Set.of(API_KEY_HEADER, BEARER_TOKENS);
    static final IdentificationSettings DEFAULTS = new IdentificationSettings("X-API-Key", true);

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param apiKeyHeader the header carrying API keys: an HTTP token
     * @param bearerTokens whether {@code Authorization: Bearer <key>} identifies payers too
     * @throws IllegalArgumentException if the header is not a header name (an RFC 9110 token); the message names the
     *     parameter and the value
     */
    public IdentificationSettings {
        if (apiKeyHeader == null || !apiKeyHeader.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw new InvalidParameterException(API_KEY_HEADER, apiKeyHeader, "not a header name: " + apiKeyHeader);
        }
    }

    IdentificationSettings withApiKeyHeader(String header) {
        return new IdentificationSettings(header, bearerTokens);
    }

    IdentificationSettings withBearerTokens(boolean accept) {
        return new IdentificationSettings(apiKeyHeader, accept);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    IdentificationSettings with(String name, String text) {
        return switch (name) {
            case API_KEY_HEADER -> withApiKeyHeader(text);
            case BEARER_TOKENS -> withBearerTokens(ParameterText.bool(name, text));
            default -> this;
        };
    }
}
