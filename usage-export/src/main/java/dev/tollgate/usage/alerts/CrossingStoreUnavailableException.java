package dev.tollgate.usage.alerts;

/** A {@link CrossingStore} could not be reached or refused a statement; nothing was marked or re-armed. */
public final class CrossingStoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed (never a credential)
     * @param cause the underlying failure
     */
    public CrossingStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
