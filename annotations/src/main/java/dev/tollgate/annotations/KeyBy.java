package dev.tollgate.annotations;

/**
 * What a {@link RateLimited} limit counts requests by: each distinct key gets its own bucket.
 *
 * <p>When the chosen key is absent from a request ({@link #PAYER} without any credential,
 * {@link #PRINCIPAL} without an authenticated user, {@link #HEADER} without that header or with an
 * empty one, {@link #CUSTOM} when the resolver returns nothing), the request is counted by its
 * {@linkplain #CLIENT_IP client address} instead, so that leaving the key out never escapes the
 * limit.
 */
public enum KeyBy {

    /**
     * The payer's credential: the API key or bearer token, else the container principal.
     * A presented credential must belong to a known account, otherwise the request is
     * answered with {@code 401}: inventing keys does not buy fresh buckets.
     */
    PAYER,

    /** The name of the authenticated container principal ({@code request.getUserPrincipal()}). */
    PRINCIPAL,

    /**
     * The client's IP address: the peer's address ({@code request.getRemoteAddr()}), or, when the
     * peer is one of the configured trusted proxies ({@code tollgate.trustedProxies}, empty by
     * default), the client named by its {@code Forwarded} or {@code X-Forwarded-For} header. Those
     * headers are never believed from anyone else: they are trivially forged.
     */
    CLIENT_IP,

    /** The value of the request header named by {@link RateLimited#header()}. */
    HEADER,

    /** One bucket shared by every request to the endpoint. */
    GLOBAL,

    /**
     * The key returned by the class named in {@link RateLimited#resolver()}, which implements
     * {@code dev.tollgate.spi.RateLimitKeyResolver}.
     */
    CUSTOM
}
