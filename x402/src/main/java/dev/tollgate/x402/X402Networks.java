package dev.tollgate.x402;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * CAIP-2 network identifiers and the names x402 v1 used for them. Only networks with a v1 name can
 * be offered to v1 clients; every well-formed {@code eip155:<chain id>} can be offered to v2 clients.
 * Stateless.
 */
public final class X402Networks {

    private static final Pattern CAIP2 = Pattern.compile("eip155:[1-9][0-9]{0,18}");
    private static final Map<String, String> V1_NAMES = Map.of(
            "eip155:84532", "base-sepolia",
            "eip155:8453", "base",
            "eip155:43113", "avalanche-fuji",
            "eip155:43114", "avalanche");

    private X402Networks() {
    }

    /**
     * {@return whether a string is an EVM CAIP-2 network identifier this scheme can pay on}
     *
     * @param network such as {@code eip155:84532}
     */
    public static boolean isValid(String network) {
        return network != null && CAIP2.matcher(network).matches();
    }

    /**
     * {@return the v1 name of a CAIP-2 network, or {@code null} when v1 had none}
     *
     * @param caip2 such as {@code eip155:84532} ({@code base-sepolia})
     */
    public static String v1Name(String caip2) {
        return V1_NAMES.get(caip2);
    }

    /**
     * {@return the CAIP-2 identifier of a v1 network name, or {@code null} when unknown}
     *
     * @param v1 such as {@code base}
     */
    public static String fromV1(String v1) {
        for (Map.Entry<String, String> e : V1_NAMES.entrySet()) {
            if (e.getValue().equals(v1)) {
                return e.getKey();
            }
        }
        return null;
    }
}
