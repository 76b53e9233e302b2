package dev.tollgate.x402;

import jakarta.json.JsonObject;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A decoded {@code PAYMENT-SIGNATURE} (v2) or {@code X-PAYMENT} (v1) header: an EIP-3009
 * authorization signed by the payer, checked for shape only. Immutable.
 *
 * @param version the x402 version, 1 or 2
 * @param raw the decoded payload as sent, passed verbatim to the facilitator
 * @param accepted the requirement the client chose (v2), verbatim; {@code null} for v1
 * @param network the network it pays on: CAIP-2 for v2, the v1 name for v1
 * @param from the payer's address
 * @param to the receiving address
 * @param value the amount in atomic units
 * @param validAfter seconds since the epoch before which the authorization is not valid
 * @param validBefore seconds since the epoch from which it is no longer valid
 * @param nonce the authorization's nonce, {@code 0x} and 64 hex digits
 * @param paymentId the payment-identifier extension's id, or {@code null}
 * @param digest the SHA-256 of the decoded payload, hex: equal payloads have equal digests
 */
public record X402Payment(int version, JsonObject raw, JsonObject accepted, String network, String from, String to,
                          BigInteger value, long validAfter, long validBefore, String nonce, String paymentId,
                          String digest) {

    // Validates.
    public X402Payment {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(digest, "digest");
    }

    /**
     * {@return the key of the authorization in the replay guard} The token contract lets one
     * authorization (payer, nonce) be used once per token and chain, so the key is made of the
     * CAIP-2 network (a v1 name is mapped to it), the token address, the payer and the nonce, all
     * lower case: the same authorization sent as {@code PAYMENT-SIGNATURE} (v2) and as
     * {@code X-PAYMENT} (v1), or with checksummed and plain addresses, is one claim.
     *
     * @param asset the token address the payment is checked against (the endpoint's)
     */
    public String authorizationKey(String asset) {
        String caip2 = version == 1 ? X402Networks.fromV1(network) : network;
        return "auth:" + (caip2 != null ? caip2 : "v1-" + network) + ":"
                + asset.toLowerCase(java.util.Locale.ROOT) + ":" + from.toLowerCase(java.util.Locale.ROOT) + ":"
                + nonce.toLowerCase(java.util.Locale.ROOT);
    }
}
