package dev.tollgate.usage;

/** The usage log cannot be read now (its database does not answer); read again later. */
public class UsageLogUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the underlying failure
     */
    public UsageLogUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
