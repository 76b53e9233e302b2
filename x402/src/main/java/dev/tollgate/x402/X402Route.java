package dev.tollgate.x402;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The x402 terms of one endpoint, resolved and checked: what its {@code 402} offers and what a
 * payment's {@code accepted} must equal. Immutable.
 *
 * @param resource the endpoint's name, for messages, such as {@code GET quotes}
 * @param network the CAIP-2 network
 * @param asset the token
 * @param payTo the receiving address
 * @param price the price in whole units of the asset
 * @param amount the price in atomic units
 * @param maxTimeoutSeconds how long a signed payment may take to settle
 * @param description what the client pays for
 * @param mimeType the media type of the paid response
 * @param paymentIdentifierRequired whether a payment must carry a payment-identifier
 */
public record X402Route(String resource, String network, X402Asset asset, String payTo, BigDecimal price,
                        BigInteger amount, int maxTimeoutSeconds, String description, String mimeType,
                        boolean paymentIdentifierRequired) {

    /** The only x402 scheme this module speaks: {@value}. */
    public static final String EXACT = "exact";

    // Validates.
    public X402Route {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(asset, "asset");
        if (!X402Networks.isValid(network)) {
            throw new IllegalArgumentException("network \"" + network + "\" is not a CAIP-2 EVM network such as"
                    + " eip155:8453");
        }
        if (payTo == null || !X402Asset.ADDRESS.matcher(payTo).matches()) {
            throw new IllegalArgumentException("payTo \"" + payTo + "\" is not 0x and 40 hex digits");
        }
        if (maxTimeoutSeconds < 1 || maxTimeoutSeconds > 86_400) {
            throw new IllegalArgumentException("maxTimeoutSeconds " + maxTimeoutSeconds + " is not 1 to 86400");
        }
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(mimeType, "mimeType");
        if (!amount.equals(asset.atomic(price))) {
            throw new IllegalArgumentException("amount " + amount + " is not the price " + price.toPlainString());
        }
    }

    /** {@return the v2 payment requirement: an {@code accepts} entry of {@code PAYMENT-REQUIRED}} */
    public JsonObject requirement() {
        return Json.createObjectBuilder()
                .add("scheme", EXACT)
                .add("network", network)
                .add("amount", amount.toString())
                .add("asset", asset.address())
                .add("payTo", payTo)
                .add("maxTimeoutSeconds", maxTimeoutSeconds)
                .add("extra", extra())
                .build();
    }

    /**
     * {@return the v1 payment requirement (an {@code accepts} entry of the {@code 402} body), or
     * {@code null} when the network has no v1 name}
     *
     * @param url the absolute URL of the resource
     */
    public JsonObject requirementV1(String url) {
        String v1 = X402Networks.v1Name(network);
        if (v1 == null) {
            return null;
        }
        return Json.createObjectBuilder()
                .add("scheme", EXACT)
                .add("network", v1)
                .add("maxAmountRequired", amount.toString())
                .add("resource", url)
                .add("description", description)
                .add("mimeType", mimeType)
                .add("payTo", payTo)
                .add("maxTimeoutSeconds", maxTimeoutSeconds)
                .add("asset", asset.address())
                .add("extra", extra())
                .build();
    }

    private JsonObjectBuilder extra() {
        return Json.createObjectBuilder().add("name", asset.name()).add("version", asset.version());
    }

    /** {@return whether the network, asset and receiver are this route's (addresses compared ignoring case)} */
    boolean sameTerms(String network, String asset, String payTo) {
        return this.network.equals(network) && this.asset.address().equalsIgnoreCase(asset)
                && this.payTo.equalsIgnoreCase(payTo);
    }
}
