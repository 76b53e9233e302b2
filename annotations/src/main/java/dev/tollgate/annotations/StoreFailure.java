package dev.tollgate.annotations;

/**
 * What a {@link RateLimited} limit does when the shared store of its buckets (PostgreSQL, Redis)
 * fails or does not answer in time. Local limits never fail.
 */
public enum StoreFailure {

    /** The application's configured default ({@code tollgate.rateLimit.onStoreFailure}, itself {@link #LOCAL} by default). */
    DEFAULT,

    /** Admit the request, log it and count it (availability over strictness). */
    OPEN,

    /** Refuse the request with {@code 503 Service Unavailable} (strictness over availability). */
    CLOSED,

    /** Count the request in a bucket of this node instead, until the store answers again. */
    LOCAL
}
