package dev.tollgate.spi;

/**
 * Thrown by a {@link Ledger} that cannot answer now: its database is down, a call timed out, a
 * pool is exhausted. The request is refused with {@code 503 Service Unavailable} and a
 * {@code Retry-After} header; it is never let through unpaid.
 */
public class LedgerUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, for the log (never shown to clients)
     * @param cause the underlying failure, or {@code null}
     */
    public LedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Creates the exception.
     *
     * @param message what failed, for the log (never shown to clients)
     */
    public LedgerUnavailableException(String message) {
        super(message);
    }
}
