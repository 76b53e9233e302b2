package dev.tollgate.spi;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Identifies who pays for a request. The built-in resolver reads an API key header
 * ({@code X-API-Key} by default), then {@code Authorization: Bearer <token>}, then the container
 * principal; replace it through {@link dev.tollgate.TollgateConfig.Builder#payerResolver} or the
 * {@code tollgate.payerResolver} parameter.
 *
 * <p>A resolver only reads the request; it does not check that the account exists (the ledger
 * does). It is called on request threads concurrently and must be thread-safe and fast. It must
 * never take the client address from {@code X-Forwarded-For} or similar headers without a
 * trusted-proxy check.
 *
 * <p>Named in {@code tollgate.payerResolver}, a class needs a public constructor taking a
 * {@code Map<String, String>} (every {@code tollgate.*} parameter) or none.
 */
@FunctionalInterface
public interface PayerResolver {

    /**
     * Identifies the payer of a request.
     *
     * @param request the request
     * @return the payer, or empty when the request carries no credential at all (answered with
     *     {@code 402} and how to pay)
     * @throws InvalidCredentialsException if a credential is present but malformed (answered with
     *     {@code 401})
     */
    Optional<Payer> resolve(HttpServletRequest request) throws InvalidCredentialsException;
}
