package dev.tollgate.annotations;

/**
 * Which requests a {@link RateLimited} limit counts. Tokens are always taken atomically before the
 * endpoint runs (so concurrent requests cannot slip past the limit); when the outcome is one that
 * does not count, they are given back afterwards.
 */
public enum Count {

    /** Every request counts (the default). */
    ALL,

    /** Only successful requests count: a response below 400 without an exception. */
    SUCCESSES,

    /**
     * Only failed requests count: a response of 400 or more, or an exception. For example, failed
     * login attempts.
     */
    FAILURES
}
