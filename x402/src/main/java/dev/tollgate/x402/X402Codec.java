package dev.tollgate.x402;

import dev.tollgate.spi.payment.MalformedCredentialException;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The x402 header encodings: base64 of compact JSON. Decoding is strict and bounded (size, base64
 * alphabet, UTF-8, JSON without duplicate members, the shape of an EIP-3009 payment), and every
 * failure is a {@link MalformedCredentialException} whose message never echoes the header.
 * Stateless and thread-safe.
 */
public final class X402Codec {

    /** The v2 header of a {@code 402}: {@value}. */
    public static final String PAYMENT_REQUIRED = "PAYMENT-REQUIRED";
    /** The v2 request header that carries a payment: {@value}. */
    public static final String PAYMENT_SIGNATURE = "PAYMENT-SIGNATURE";
    /** The v2 response header with the settlement: {@value}. */
    public static final String PAYMENT_RESPONSE = "PAYMENT-RESPONSE";
    /** The v1 request header that carries a payment: {@value}. */
    public static final String X_PAYMENT = "X-PAYMENT";
    /** The v1 response header with the settlement: {@value}. */
    public static final String X_PAYMENT_RESPONSE = "X-PAYMENT-RESPONSE";

    /**
     * The longest payment header read, in characters: a payment is about 1 to 1.5 KB of base64, and
     * containers refuse request heads over 8 KiB by default anyway.
     */
    public static final int MAX_HEADER_CHARS = 6 * 1024;

    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Pattern NONCE = Pattern.compile("0x[0-9a-fA-F]{64}");
    private static final Pattern SIGNATURE = Pattern.compile("0x[0-9a-fA-F]{2,4096}");
    private static final Pattern UINT256 = Pattern.compile("0|[1-9][0-9]{0,77}");
    private static final Pattern SECONDS = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern PAYMENT_ID = Pattern.compile("[A-Za-z0-9_-]{16,128}");
    private static final BigInteger UINT256_MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
    /** Duplicate members are refused: two {@code value}s in one payment must never be read two ways. */
    private static final JsonReaderFactory READERS =
            Json.createReaderFactory(Map.of(jakarta.json.JsonConfig.KEY_STRATEGY, jakarta.json.JsonConfig.KeyStrategy.NONE));

    private X402Codec() {
    }

    /**
     * {@return base64 of a JSON value's compact text}
     *
     * @param json the value
     */
    public static String encode(JsonValue json) {
        return Base64.getEncoder().encodeToString(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Decodes base64 JSON into an object, strictly.
     *
     * @param header the header's name, for messages
     * @param value the header's value
     * @return the object
     * @throws MalformedCredentialException if the value is too long, not base64, not UTF-8 or not a JSON object
     */
    public static JsonObject decodeObject(String header, String value) throws MalformedCredentialException {
        String v = value.strip();
        if (v.isEmpty() || v.length() > MAX_HEADER_CHARS) {
            throw new MalformedCredentialException(header + " must be 1 to " + MAX_HEADER_CHARS
                    + " characters of base64.");
        }
        if (!BASE64.matcher(v).matches()) {
            throw new MalformedCredentialException(header + " is not base64 (standard alphabet).");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw new MalformedCredentialException(header + " is not base64 (standard alphabet).");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedCredentialException(header + " does not decode to UTF-8 text.");
        }
        try (JsonReader reader = READERS.createReader(new StringReader(text))) {
            JsonValue json = reader.readValue();
            if (json.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new MalformedCredentialException(header + " does not decode to a JSON object.");
            }
            return json.asJsonObject();
        } catch (RuntimeException e) {
            // JsonException for bad syntax or a repeated member; the parser's own limits (nesting
            // depth, number size) may throw other runtime exceptions: all of them are bad input.
            throw new MalformedCredentialException(header + " does not decode to JSON within limits (or repeats a"
                    + " member).");
        }
    }

    /**
     * Decodes a payment header and checks its shape.
     *
     * @param header {@value #PAYMENT_SIGNATURE} (v2) or {@value #X_PAYMENT} (v1)
     * @param value the header's value
     * @return the payment
     * @throws MalformedCredentialException if anything about it is malformed
     */
    public static X402Payment decodePayment(String header, String value) throws MalformedCredentialException {
        JsonObject o = decodeObject(header, value);
        int expected = header.equalsIgnoreCase(X_PAYMENT) ? 1 : 2;
        int version = integer(o, "x402Version", header);
        if (version != expected) {
            throw new MalformedCredentialException(header + " carries x402Version " + version + "; this header takes "
                    + expected + ".");
        }
        JsonObject accepted = null;
        String network;
        if (version == 2) {
            accepted = object(o, "accepted", header);
            network = string(accepted, "network", header + " accepted", 64);
            string(accepted, "scheme", header + " accepted", 32);
        } else {
            network = string(o, "network", header, 64);
            string(o, "scheme", header, 32);
        }
        JsonObject payload = object(o, "payload", header);
        string(payload, "signature", header + " payload", SIGNATURE);
        JsonObject auth = object(payload, "authorization", header + " payload");
        String where = header + " payload.authorization";
        String from = string(auth, "from", where, ADDRESS);
        String to = string(auth, "to", where, ADDRESS);
        BigInteger amount = new BigInteger(string(auth, "value", where, UINT256));
        if (amount.compareTo(UINT256_MAX) > 0) {
            throw new MalformedCredentialException(where + ".value is larger than a uint256.");
        }
        long validAfter = Long.parseLong(string(auth, "validAfter", where, SECONDS));
        long validBefore = Long.parseLong(string(auth, "validBefore", where, SECONDS));
        String nonce = string(auth, "nonce", where, NONCE);
        String paymentId = paymentId(o, header);
        return new X402Payment(version, o, accepted, network, from, to, amount, validAfter, validBefore, nonce,
                paymentId, sha256(o.toString()));
    }

    /** The payment-identifier extension's id ({@code extensions."payment-identifier".info.id}), or null. */
    private static String paymentId(JsonObject o, String header) throws MalformedCredentialException {
        JsonValue ext = o.get("extensions");
        if (ext == null || ext.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (ext.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new MalformedCredentialException(header + " extensions must be an object.");
        }
        JsonValue pi = ext.asJsonObject().get("payment-identifier");
        if (pi == null) {
            return null;
        }
        String where = header + " extensions.payment-identifier";
        if (pi.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new MalformedCredentialException(where + " must be an object.");
        }
        JsonValue info = pi.asJsonObject().get("info");
        if (info == null || info.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new MalformedCredentialException(where + ".info must be an object.");
        }
        if (!info.asJsonObject().containsKey("id")) {
            return null;
        }
        return string(info.asJsonObject(), "id", where + ".info", PAYMENT_ID);
    }

    private static int integer(JsonObject o, String name, String where) throws MalformedCredentialException {
        JsonValue v = o.get(name);
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw new MalformedCredentialException(where + " needs an integer " + name + ".");
        }
        try {
            return n.intValueExact();
        } catch (ArithmeticException e) {
            throw new MalformedCredentialException(where + " has an out-of-range " + name + ".");
        }
    }

    private static JsonObject object(JsonObject o, String name, String where) throws MalformedCredentialException {
        JsonValue v = o.get(name);
        if (v == null || v.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new MalformedCredentialException(where + " needs an object " + name + ".");
        }
        return v.asJsonObject();
    }

    private static String string(JsonObject o, String name, String where, int maxLength)
            throws MalformedCredentialException {
        JsonValue v = o.get(name);
        if (!(v instanceof JsonString s) || s.getString().isEmpty() || s.getString().length() > maxLength) {
            throw new MalformedCredentialException(where + " needs a string " + name + " of 1 to " + maxLength
                    + " characters.");
        }
        return s.getString();
    }

    private static String string(JsonObject o, String name, String where, Pattern shape)
            throws MalformedCredentialException {
        JsonValue v = o.get(name);
        if (!(v instanceof JsonString s) || !shape.matcher(s.getString()).matches()) {
            throw new MalformedCredentialException(where + "." + name + " is missing or malformed.");
        }
        return s.getString();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JRE has SHA-256
        }
    }

    /**
     * {@return the JSON of a v2 {@code PAYMENT-REQUIRED} (before base64)}
     *
     * @param error why payment is required, for the client
     * @param url the resource's absolute URL
     * @param route the endpoint's terms
     */
    public static JsonObject paymentRequired(String error, String url, X402Route route) {
        var b = Json.createObjectBuilder()
                .add("x402Version", 2)
                .add("error", error)
                .add("resource", Json.createObjectBuilder().add("url", url).add("description", route.description())
                        .add("mimeType", route.mimeType()))
                .add("accepts", Json.createArrayBuilder().add(route.requirement()));
        if (route.paymentIdentifierRequired()) {
            b.add("extensions", Json.createObjectBuilder().add("payment-identifier", Json.createObjectBuilder()
                    .add("info", Json.createObjectBuilder().add("required", true))));
        }
        return b.build();
    }

    /**
     * {@return the JSON of a settlement answer ({@code PAYMENT-RESPONSE} before base64)}
     *
     * @param success whether the payment was settled
     * @param errorReason the facilitator's reason when it was not, or {@code null}
     * @param transaction the transaction hash; left out of a failure when {@code null} or empty
     * @param network the network
     * @param payer the payer, or {@code null}
     */
    public static JsonObject settlement(boolean success, String errorReason, String transaction, String network,
                                        String payer) {
        var b = Json.createObjectBuilder().add("success", success);
        if (!success && errorReason != null) {
            b.add("errorReason", errorReason);
        }
        if (transaction != null && (success || !transaction.isEmpty())) {
            b.add("transaction", transaction);
        }
        b.add("network", network);
        if (payer != null) {
            b.add("payer", payer);
        }
        return b.build();
    }
}
