package dev.tollgate.spi;

/**
 * Thrown by a {@link PayerResolver} when a request carries a credential that is malformed or
 * ambiguous (two different keys, an empty bearer token, characters outside printable ASCII).
 * The request is answered with {@code 401 Unauthorized}.
 */
public class InvalidCredentialsException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, safe to show to the client (never echo the credential)
     */
    public InvalidCredentialsException(String message) {
        super(message);
    }
}
