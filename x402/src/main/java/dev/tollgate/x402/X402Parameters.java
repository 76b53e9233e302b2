package dev.tollgate.x402;

import dev.tollgate.spi.ParameterNames;
import dev.tollgate.spi.payment.ClaimStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code tollgate.x402.*} parameters, declared to Tollgate and read by {@link X402Scheme} when
 * it is found by {@code ServiceLoader}. Stateless.
 *
 * <table>
 *   <caption>x402 parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #FACILITATOR}</td><td>(required when an endpoint accepts x402)</td><td>the
 *       facilitator's base URL; several, comma-separated, are tried in order when one cannot be reached</td></tr>
 *   <tr><td>{@value #CONNECT_TIMEOUT}</td><td>{@code 2000}</td><td>milliseconds to connect to it</td></tr>
 *   <tr><td>{@value #REQUEST_TIMEOUT}</td><td>{@code 15000}</td><td>milliseconds one call may take</td></tr>
 *   <tr><td>{@value #AUTH_HEADER}{@code <Name>}</td><td></td><td>a header sent with every facilitator
 *       call, such as {@code tollgate.x402.authHeader.Authorization=Bearer …}; never logged</td></tr>
 *   <tr><td>{@value #NETWORK}</td><td>{@code eip155:84532}</td><td>the default CAIP-2 network</td></tr>
 *   <tr><td>{@value #ASSET}</td><td>the network's USDC</td><td>the token address; with it,
 *       {@value #ASSET_NAME}, {@value #ASSET_VERSION} (EIP-712 domain) and {@value #ASSET_DECIMALS}</td></tr>
 *   <tr><td>{@value #PAY_TO}</td><td>(required)</td><td>the default receiving address</td></tr>
 *   <tr><td>{@value #MAX_TIMEOUT}</td><td>{@code 60}</td><td>seconds a signed payment may take to settle</td></tr>
 *   <tr><td>{@value #PAYMENT_ID_RETENTION}</td><td>{@code 86400}</td><td>seconds a payment-identifier's
 *       response is kept for retries</td></tr>
 *   <tr><td>{@value #RESOURCE_BASE_URL}</td><td>(the address the request came in on)</td><td>the
 *       public {@code scheme://host[:port]} of resource URLs in offers, such as
 *       {@code https://api.example.com}; never taken from the request's {@code Host} header</td></tr>
 *   <tr><td>{@value #ENABLED}</td><td>{@code true}</td><td>{@code false}: x402 is out of service;
 *       endpoints that accept it refuse x402 payments with 503 (and offer other schemes)</td></tr>
 * </table>
 */
public final class X402Parameters implements ParameterNames {

    /** Parameter: the facilitator's base URL(s). */
    public static final String FACILITATOR = "tollgate.x402.facilitator";
    /** Parameter: connect timeout in milliseconds. */
    public static final String CONNECT_TIMEOUT = "tollgate.x402.connectTimeoutMillis";
    /** Parameter: request timeout in milliseconds. */
    public static final String REQUEST_TIMEOUT = "tollgate.x402.requestTimeoutMillis";
    /** Parameter prefix: headers for the facilitator. */
    public static final String AUTH_HEADER = "tollgate.x402.authHeader.";
    /** Parameter: the default network. */
    public static final String NETWORK = "tollgate.x402.network";
    /** Parameter: the token address. */
    public static final String ASSET = "tollgate.x402.asset";
    /** Parameter: the token's EIP-712 name. */
    public static final String ASSET_NAME = "tollgate.x402.assetName";
    /** Parameter: the token's EIP-712 version. */
    public static final String ASSET_VERSION = "tollgate.x402.assetVersion";
    /** Parameter: the token's decimals. */
    public static final String ASSET_DECIMALS = "tollgate.x402.assetDecimals";
    /** Parameter: the receiving address. */
    public static final String PAY_TO = "tollgate.x402.payTo";
    /** Parameter: seconds a payment may take to settle. */
    public static final String MAX_TIMEOUT = "tollgate.x402.maxTimeoutSeconds";
    /** Parameter: seconds a payment-identifier's response is kept. */
    public static final String PAYMENT_ID_RETENTION = "tollgate.x402.paymentIdRetentionSeconds";
    /** Parameter: the public base URL of resource URLs in offers. */
    public static final String RESOURCE_BASE_URL = "tollgate.x402.resourceBaseUrl";
    /** Parameter: whether x402 is in service. */
    public static final String ENABLED = "tollgate.x402.enabled";

    static final String DEFAULT_NETWORK = "eip155:84532";
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    static final int DEFAULT_MAX_TIMEOUT_SECONDS = 60;
    static final Duration DEFAULT_PAYMENT_ID_RETENTION = Duration.ofDays(1);
    static final int DEFAULT_MAX_RECORDS = 200_000;

    private static final Map<String, X402Asset> USDC = Map.of(
            "eip155:84532", X402Asset.USDC_BASE_SEPOLIA,
            "eip155:8453", new X402Asset("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "USD Coin", "2", 6));

    /** Creates the declaration; {@code ServiceLoader} needs this constructor. */
    public X402Parameters() {
    }

    @Override
    public String module() {
        return "tollgate-x402";
    }

    @Override
    public Set<String> names() {
        return Set.of(FACILITATOR, CONNECT_TIMEOUT, REQUEST_TIMEOUT, NETWORK, ASSET, ASSET_NAME, ASSET_VERSION,
                ASSET_DECIMALS, PAY_TO, MAX_TIMEOUT, PAYMENT_ID_RETENTION, ENABLED, RESOURCE_BASE_URL);
    }

    @Override
    public Set<String> prefixes() {
        return Set.of(AUTH_HEADER);
    }

    /** {@return the canonical USDC of a network, or {@code null} when not known here} */
    static X402Asset knownUsdc(String network) {
        return USDC.get(network);
    }

    /**
     * Reads the parameters.
     *
     * @param p the parameters
     * @param clock the clock
     * @param needed whether endpoints accept x402 (then a facilitator and a receiver are required)
     * @throws IllegalArgumentException naming the parameter and the value, if one is invalid
     */
    static X402Settings read(Map<String, String> p, Clock clock, boolean needed) {
        String enabled = p.getOrDefault(ENABLED, "true").strip();
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw invalid(ENABLED, enabled, "not true or false");
        }
        if (enabled.equals("false")) {
            return X402Settings.disabled(ENABLED + " = false");
        }
        String facilitator = p.get(FACILITATOR);
        if (facilitator == null || facilitator.isBlank()) {
            if (needed) {
                throw new IllegalArgumentException(FACILITATOR + " is required: endpoints accept x402 (or set "
                        + ENABLED + " = false to refuse x402 payments with 503)");
            }
            return X402Settings.disabled(FACILITATOR + " is not set");
        }
        List<URI> urls = new ArrayList<>();
        for (String u : facilitator.split(",")) {
            try {
                urls.add(URI.create(u.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(FACILITATOR + ": \"" + Facilitator.redact(u.strip())
                        + "\" is not a URL");
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        p.forEach((k, v) -> {
            if (k.startsWith(AUTH_HEADER)) {
                String name = k.substring(AUTH_HEADER.length());
                if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")) {
                    throw new IllegalArgumentException(k + ": \"" + name + "\" is not a header name");
                }
                if (v == null || !Facilitator.isHeaderValue(v)) {
                    throw new IllegalArgumentException(k + ": the value is not a valid header value (control"
                            + " characters such as CR or LF)"); // the value is a secret: never in a message
                }
                headers.put(name, v); // the value is a secret: never in a message
            }
        });
        Facilitator f;
        try {
            f = new Facilitator(urls, millis(p, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
                    millis(p, REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT), headers);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FACILITATOR + ": " + e.getMessage(), e);
        }
        String network = p.getOrDefault(NETWORK, DEFAULT_NETWORK).strip();
        X402Asset asset = null;
        String address = p.get(ASSET);
        if (address != null) {
            try {
                asset = new X402Asset(address.strip(), p.getOrDefault(ASSET_NAME, "USDC").strip(),
                        p.getOrDefault(ASSET_VERSION, "2").strip(), integer(p, ASSET_DECIMALS, 6, 0, 36));
            } catch (IllegalArgumentException e) {
                throw invalid(ASSET, address, e.getMessage());
            }
        } else if (p.containsKey(ASSET_NAME) || p.containsKey(ASSET_VERSION) || p.containsKey(ASSET_DECIMALS)) {
            throw new IllegalArgumentException(ASSET_NAME + ", " + ASSET_VERSION + " and " + ASSET_DECIMALS
                    + " describe " + ASSET + ", which is not set");
        }
        return settings(f, network, asset, p.get(PAY_TO) == null ? null : p.get(PAY_TO).strip(),
                integer(p, MAX_TIMEOUT, DEFAULT_MAX_TIMEOUT_SECONDS, 1, 86_400),
                Duration.ofSeconds(integer(p, PAYMENT_ID_RETENTION, (int) DEFAULT_PAYMENT_ID_RETENTION.toSeconds(), 1,
                        30 * 86_400)), null, clock, p.get(RESOURCE_BASE_URL));
    }

    /** {@link #settings(Facilitator, String, X402Asset, String, int, Duration, ClaimStore, Clock, String)} without a resource base URL. */
    static X402Settings settings(Facilitator f, String network, X402Asset asset, String payTo, int maxTimeout,
                                 Duration retention, ClaimStore store, Clock clock) {
        return settings(f, network, asset, payTo, maxTimeout, retention, store, clock, null);
    }

    /** Checks the defaults every route starts from; shared by the builder and the parameters. */
    static X402Settings settings(Facilitator f, String network, X402Asset asset, String payTo, int maxTimeout,
                                        Duration retention, ClaimStore store, Clock clock, String resourceBase) {
        if (!X402Networks.isValid(network)) {
            throw invalid(NETWORK, network, "not a CAIP-2 EVM network such as eip155:8453");
        }
        X402Asset a = asset != null ? asset : knownUsdc(network);
        if (a == null) {
            throw invalid(ASSET, "", "no default asset is known for " + network + "; set the token's address, name,"
                    + " version and decimals");
        }
        if (payTo != null && !X402Asset.ADDRESS.matcher(payTo).matches()) {
            throw invalid(PAY_TO, payTo, "not 0x and 40 hex digits");
        }
        if (maxTimeout < 1 || maxTimeout > 86_400) {
            throw invalid(MAX_TIMEOUT, String.valueOf(maxTimeout), "not 1 to 86400");
        }
        return new X402Settings(f, network, a, payTo, maxTimeout, retention, store, clock, null,
                ConcurrentHashMap.newKeySet(), resourceBase(resourceBase));
    }

    /** {@return a resource base URL checked and without a trailing slash, or {@code null}} */
    static String resourceBase(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        URI u;
        try {
            u = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RESOURCE_BASE_URL + " = \"" + Facilitator.redact(url.strip())
                    + "\": not a URL");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                || u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null
                || u.getRawFragment() != null || !(u.getRawPath() == null || u.getRawPath().isEmpty()
                || u.getRawPath().equals("/"))) {
            throw new IllegalArgumentException(RESOURCE_BASE_URL + " = \"" + Facilitator.redact(url.strip())
                    + "\": not an http(s) scheme://host[:port] without path, query or credentials");
        }
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    private static Duration millis(Map<String, String> p, String name, Duration fallback) {
        return Duration.ofMillis(integer(p, name, (int) fallback.toMillis(), 1, 600_000));
    }

    private static int integer(Map<String, String> p, String name, int fallback, int min, int max) {
        String v = p.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n < min || n > max) {
                throw invalid(name, v, "not " + min + " to " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(name, v, "not a whole number");
        }
    }

    private static IllegalArgumentException invalid(String name, String value, String why) {
        return new IllegalArgumentException(name + " = \"" + value + "\": " + why);
    }
}
