package dev.tollgate.spi.payment;

/**
 * A request carries a {@link PaymentScheme}'s credential that cannot be parsed. Tollgate answers
 * {@code 400} ({@code malformed-request}) with the message as the problem's detail: write it for
 * the client, and never echo the credential.
 */
public class MalformedCredentialException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, for the client
     */
    public MalformedCredentialException(String message) {
        super(message, null, false, false);
    }
}
