package dev.tollgate.usage.alerts;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies with HMAC-SHA256 and checks such signatures. The header
 * {@value #HEADER}{@code : t=<unix seconds>,v1=<hex>} carries the time of sending and
 * {@code HMAC-SHA256(secret, t + "." + body)}: a receiver recomputes it over the raw body, compares in
 * constant time, and refuses a time too far from its own clock (a replayed request). The secret is never
 * logged or shown ({@link #toString()} does not print it).
 *
 * <p>Immutable and thread-safe.
 */
public final class WebhookSigner {

    /** The signature header. */
    public static final String HEADER = "Tollgate-Signature";
    /** The fewest bytes a secret has. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /**
     * @param secret the shared secret, at least {@value #MIN_SECRET_BYTES} bytes in UTF-8
     * @throws IllegalArgumentException if it is shorter (the message does not show it)
     */
    public WebhookSigner(String secret) {
        Objects.requireNonNull(secret, "secret");
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("a webhook secret has at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /**
     * {@return the value of the {@value #HEADER} header for a body sent at a time}
     *
     * @param time the time of sending
     * @param body the exact bytes sent
     */
    public String sign(Instant time, byte[] body) {
        long t = time.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(t, body));
    }

    /**
     * Checks a signature header, as a receiver does.
     *
     * @param header the {@value #HEADER} value received; may be {@code null}
     * @param body the raw body received
     * @param now the receiver's clock
     * @param tolerance how far the signed time may be from {@code now}
     * @return whether the header is well formed, signs this body with this secret, and is recent
     */
    public boolean verify(String header, byte[] body, Instant now, Duration tolerance) {
        if (header == null || header.length() > 200) {
            return false;
        }
        Long t = null;
        byte[] given = null;
        for (String part : header.split(",")) {
            String p = part.strip();
            try {
                if (p.startsWith("t=")) {
                    t = Long.parseLong(p.substring(2));
                } else if (p.startsWith("v1=")) {
                    given = HexFormat.of().parseHex(p.substring(3));
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (t == null || given == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(mac(t, body), given);
    }

    private byte[] mac(long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every Java runtime has " + ALGORITHM, e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSigner[HMAC-SHA256, secret hidden]";
    }
}
