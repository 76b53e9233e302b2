package dev.tollgate.annotations;

/**
 * What a {@link RateLimited} limit counts requests by: each distinct key gets its own bucket.
 *
 * <p>When the chosen key is absent from a request ({@link #PAYER} without any credential,
 * {@link #PRINCIPAL} without an authenticated user, {@link #HEADER} without that header),
 * the request is counted by its {@linkplain #CLIENT_IP client address} instead, so that
 * leaving the key out never escapes the limit.
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
     * The client's IP address as the container reports it ({@code request.getRemoteAddr()}).
     * Behind a reverse proxy that is the proxy's address unless the container is configured
     * to take the client address from forwarding headers.
     */
    CLIENT_IP,

    /** The value of the request header named by {@link RateLimited#header()}. */
    HEADER,

    /** One bucket shared by every request to the endpoint. */
    GLOBAL
}
