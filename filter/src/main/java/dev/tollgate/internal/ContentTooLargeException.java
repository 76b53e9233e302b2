package dev.tollgate.internal;

/** A request body is larger than Tollgate reads to fingerprint it. */
final class ContentTooLargeException extends Exception {

    private static final long serialVersionUID = 1L;

    ContentTooLargeException(String message) {
        super(message, null, false, false);
    }
}
