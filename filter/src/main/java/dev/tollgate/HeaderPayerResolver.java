package dev.tollgate;

import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Enumeration;
import java.util.Objects;
import java.util.Optional;

/**
 * The built-in {@link PayerResolver}. In order:
 * <ol>
 *   <li>the API key header ({@code X-API-Key} by default);</li>
 *   <li>{@code Authorization: Bearer <key>}, unless turned off;</li>
 *   <li>the container's authenticated principal.</li>
 * </ol>
 * The key or token is the payer's id; when the ledger implements {@link dev.tollgate.spi.KeyLookup} (both
 * built-in ledgers do), Tollgate replaces it at once by the key's account id, found by the key's hash,
 * and never hands the key on. A credential that is present but unusable is a
 * {@link InvalidCredentialsException} (401), never silently ignored: an empty key, a key longer
 * than {@value #MAX_CREDENTIAL_LENGTH} characters or outside printable ASCII, the key header
 * twice, or an API key and a bearer token that differ. Other {@code Authorization} schemes (such
 * as {@code Basic}) are left to the container.
 *
 * <p>Immutable and thread-safe.
 */
public final class HeaderPayerResolver implements PayerResolver {

    /** The longest API key or token accepted: {@value} characters. */
    public static final int MAX_CREDENTIAL_LENGTH = 512;

    private final String apiKeyHeader;
    private final boolean bearerTokens;

    /**
     * Creates a resolver.
     *
     * @param apiKeyHeader the API key header, such as {@code X-API-Key}
     * @param bearerTokens whether {@code Authorization: Bearer} identifies payers
     */
    public HeaderPayerResolver(String apiKeyHeader, boolean bearerTokens) {
        this.apiKeyHeader = Objects.requireNonNull(apiKeyHeader, "apiKeyHeader");
        this.bearerTokens = bearerTokens;
    }

    @Override
    public Optional<Payer> resolve(HttpServletRequest request) throws InvalidCredentialsException {
        String apiKey = single(request, apiKeyHeader);
        String bearer = null;
        if (bearerTokens) {
            String authorization = single(request, "Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer", 0, 6)
                    && (authorization.length() == 6 || authorization.charAt(6) == ' ')) {
                bearer = authorization.substring(6).strip();
                if (bearer.isEmpty()) {
                    throw new InvalidCredentialsException("The Authorization header has an empty bearer token.");
                }
            }
        }
        if (apiKey != null) {
            check(apiKey, "The " + apiKeyHeader + " header");
            if (bearer != null && !bearer.equals(apiKey)) {
                throw new InvalidCredentialsException("The request carries two different credentials ("
                        + apiKeyHeader + " and a bearer token); send one.");
            }
            return Optional.of(new Payer(apiKey, Payer.Source.API_KEY));
        }
        if (bearer != null) {
            check(bearer, "The bearer token");
            return Optional.of(new Payer(bearer, Payer.Source.BEARER_TOKEN));
        }
        Principal principal = request.getUserPrincipal();
        if (principal != null && principal.getName() != null && !principal.getName().isEmpty()) {
            return Optional.of(new Payer(principal.getName(), Payer.Source.PRINCIPAL));
        }
        return Optional.empty();
    }

    private static String single(HttpServletRequest request, String header) throws InvalidCredentialsException {
        Enumeration<String> values = request.getHeaders(header);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        if (values.hasMoreElements()) {
            throw new InvalidCredentialsException("The " + header + " header is present more than once.");
        }
        return first == null ? "" : first.strip();
    }

    private static void check(String credential, String what) throws InvalidCredentialsException {
        if (credential.isEmpty()) {
            throw new InvalidCredentialsException(what + " is empty.");
        }
        if (credential.length() > MAX_CREDENTIAL_LENGTH) {
            throw new InvalidCredentialsException(what + " is longer than " + MAX_CREDENTIAL_LENGTH + " characters.");
        }
        for (int i = 0; i < credential.length(); i++) {
            char c = credential.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new InvalidCredentialsException(what + " contains characters outside printable ASCII.");
            }
        }
    }

    @Override
    public String toString() {
        return "HeaderPayerResolver[" + apiKeyHeader + (bearerTokens ? ", Bearer" : "") + ", principal]";
    }
}
