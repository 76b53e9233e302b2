package dev.tollgate.x402;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/** Payment headers as the official clients build them (not signed: the stub facilitator does not check). */
final class Payments {

    static final String PAYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    static final String PAY_TO = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    static final String ASSET = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
    private static final AtomicLong NONCES = new AtomicLong(1);

    private Payments() {
    }

    static String nonce() {
        return "0x" + String.format("%064x", NONCES.getAndIncrement());
    }

    static JsonObjectBuilder accepted(String amount) {
        return Json.createObjectBuilder().add("scheme", "exact").add("network", "eip155:84532").add("amount", amount)
                .add("asset", ASSET).add("payTo", PAY_TO).add("maxTimeoutSeconds", 60)
                .add("extra", Json.createObjectBuilder().add("name", "USDC").add("version", "2"));
    }

    static JsonObjectBuilder payload(String value, Instant now, String nonce) {
        return Json.createObjectBuilder().add("signature", "0x" + "11".repeat(65))
                .add("authorization", Json.createObjectBuilder().add("from", PAYER).add("to", PAY_TO)
                        .add("value", value).add("validAfter", String.valueOf(now.getEpochSecond() - 600))
                        .add("validBefore", String.valueOf(now.getEpochSecond() + 60)).add("nonce", nonce));
    }

    /** A v2 PAYMENT-SIGNATURE for an amount, with a fresh nonce. */
    static String v2(String amount, Instant now) {
        return v2(amount, now, nonce(), null);
    }

    static String v2(String amount, Instant now, String nonce, String paymentId) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("x402Version", 2)
                .add("resource", Json.createObjectBuilder().add("url", "http://127.0.0.1/forecast"))
                .add("accepted", accepted(amount)).add("payload", payload(amount, now, nonce));
        if (paymentId != null) {
            b.add("extensions", Json.createObjectBuilder().add("payment-identifier",
                    Json.createObjectBuilder().add("info", Json.createObjectBuilder().add("required", false)
                            .add("id", paymentId))));
        }
        return encode(b.build());
    }

    /** A v1 X-PAYMENT for an amount, with a fresh nonce. */
    static String v1(String amount, Instant now) {
        return encode(Json.createObjectBuilder().add("x402Version", 1).add("scheme", "exact")
                .add("network", "base-sepolia").add("payload", payload(amount, now, nonce())).build());
    }

    static String encode(JsonObject o) {
        return base64(o.toString());
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static JsonObject decode(String header) {
        return Json.createReader(new java.io.StringReader(new String(Base64.getDecoder().decode(header),
                StandardCharsets.UTF_8))).readObject();
    }
}
