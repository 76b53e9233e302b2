package dev.tollgate;

import dev.tollgate.internal.ClientAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Which reverse proxies may name the client (for limits keyed by client address). None by default:
 * a forwarding header from anyone else is spoofable and ignored.
 *
 * <table>
 *   <caption>Proxy parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #TRUSTED_PROXIES}</td><td>none</td><td>addresses and CIDR blocks of reverse proxies
 *       whose {@code Forwarded}/{@code X-Forwarded-For} headers name the client, such as
 *       {@code 10.0.0.0/8, ::1}</td></tr>
 *   <tr><td>{@value #FORWARDED_HEADER}</td><td>{@code x-forwarded-for}</td><td>the header those proxies
 *       write: {@code x-forwarded-for} or {@code forwarded} (RFC 7239); the other is ignored</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 *
 * @param trustedProxies comma-separated addresses and CIDR blocks, stripped; empty trusts none
 * @param forwardedHeader {@code true} if the proxies write {@code Forwarded} (RFC 7239),
 *     {@code false} for {@code X-Forwarded-For}
 */
public record ProxySettings(String trustedProxies, boolean forwardedHeader) {

    /** Parameter: the trusted reverse proxies. */
    public static final String TRUSTED_PROXIES = "tollgate.trustedProxies";
    /** Parameter: the forwarding header the trusted proxies write. */
    public static final String FORWARDED_HEADER = "tollgate.forwardedHeader";

    static final Set<String> NAMES = Set.of(TRUSTED_PROXIES, FORWARDED_HEADER);
    static final ProxySettings DEFAULTS = new ProxySettings("", false);

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param trustedProxies comma-separated addresses and CIDR blocks, stripped; empty trusts none
     * @param forwardedHeader {@code true} if the proxies write {@code Forwarded} (RFC 7239),
     *     {@code false} for {@code X-Forwarded-For}
     * @throws IllegalArgumentException if an entry is not an IP address or CIDR block; the message names the
     *     parameter and the value
     */
    public ProxySettings {
        Objects.requireNonNull(trustedProxies, "addresses");
        try {
            ClientAddress.trusting(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(TRUSTED_PROXIES, trustedProxies, e.getMessage());
        }
        trustedProxies = trustedProxies.strip();
    }

    ProxySettings withTrustedProxies(String addresses) {
        return new ProxySettings(addresses, forwardedHeader);
    }

    ProxySettings withForwardedHeader(boolean forwarded) {
        return new ProxySettings(trustedProxies, forwarded);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    ProxySettings with(String name, String text) {
        return switch (name) {
            case TRUSTED_PROXIES -> withTrustedProxies(text);
            case FORWARDED_HEADER -> withForwardedHeader(switch (text.toLowerCase(Locale.ROOT)) {
                case "forwarded" -> true;
                case "x-forwarded-for" -> false;
                default -> throw new InvalidParameterException(name, text, "expected x-forwarded-for or forwarded");
            });
            default -> this;
        };
    }
}
