package dev.tollgate.internal;

import dev.tollgate.spi.ApiKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of an API key as four longs: the same hash as {@link ApiKey#hash(String)}, computed
 * per request without building its 64-character hex form, and a cheap cache key (its hash code is
 * one of its longs, its equality four comparisons). {@link #hex()} gives the form a ledger stores,
 * only when a ledger is asked.
 *
 * <p>A key of printable ASCII up to {@value #BUFFER} characters (every key Tollgate issues or
 * imports) is copied into a per-thread buffer and digested into another, so hashing allocates
 * nothing but this record; any other key takes {@link String#getBytes}'s UTF-8 path.
 *
 * @param h0 bytes 0–7 of the digest, big-endian
 * @param h1 bytes 8–15
 * @param h2 bytes 16–23
 * @param h3 bytes 24–31
 */
record KeyHash(long h0, long h1, long h2, long h3) {

    /** The longest key hashed through the per-thread buffer, in characters. */
    static final int BUFFER = 512;

    private static final HexFormat HEX = HexFormat.of();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Per thread: the digest, the input buffer and the output buffer. JDK classes only (no class loader pinned). */
    private static final ThreadLocal<Object[]> SCRATCH = ThreadLocal.withInitial(() -> {
        try {
            return new Object[] {MessageDigest.getInstance("SHA-256"), new byte[BUFFER], new byte[32]};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    });

    /**
     * {@return the hash of a key, equal to {@link ApiKey#hash(String)} in {@link #hex()} form}
     *
     * @param key the key as the caller sent it
     */
    static KeyHash of(String key) {
        Object[] scratch = SCRATCH.get();
        MessageDigest sha256 = (MessageDigest) scratch[0];
        byte[] in = (byte[]) scratch[1];
        byte[] out = (byte[]) scratch[2];
        int n = key.length();
        boolean ascii = n <= BUFFER;
        for (int i = 0; ascii && i < n; i++) {
            char c = key.charAt(i);
            if (c >= 0x80) {
                ascii = false;
            } else {
                in[i] = (byte) c; // UTF-8 of an ASCII character is that byte
            }
        }
        // No reset(): digest() leaves the digest reset, and nothing between the two can throw.
        if (ascii) {
            sha256.update(in, 0, n);
        } else {
            sha256.update(key.getBytes(StandardCharsets.UTF_8));
        }
        try {
            sha256.digest(out, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e);
        }
        return new KeyHash((long) LONGS.get(out, 0), (long) LONGS.get(out, 8), (long) LONGS.get(out, 16),
                (long) LONGS.get(out, 24));
    }

    /**
     * {@return the hash in the form {@link ApiKey#hash(String)} gives}
     */
    String hex() {
        return HEX.toHexDigits(h0) + HEX.toHexDigits(h1) + HEX.toHexDigits(h2) + HEX.toHexDigits(h3);
    }

    /**
     * {@return the hash of this hex form, or {@code null} if it is not 64 lower-case hex digits}
     *
     * @param hex a hash as {@link ApiKey#hash(String)} gives it
     */
    static KeyHash parse(String hex) {
        return wellFormed(hex) ? new KeyHash(part(hex, 0), part(hex, 1), part(hex, 2), part(hex, 3)) : null;
    }

    /**
     * {@return whether a stored hash (hex) is this one}; allocates nothing
     *
     * @param hex a hash as a ledger keeps it; may be {@code null}
     */
    boolean matches(String hex) {
        return wellFormed(hex) && part(hex, 0) == h0 && part(hex, 1) == h1 && part(hex, 2) == h2
                && part(hex, 3) == h3;
    }

    private static boolean wellFormed(String hex) {
        if (hex == null || hex.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** {@return the {@code n}th 16 digits of a well-formed hex hash as a long} */
    private static long part(String hex, int n) {
        long v = 0;
        for (int i = n * 16; i < n * 16 + 16; i++) {
            char c = hex.charAt(i);
            v = (v << 4) | (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return v;
    }

    @Override
    public int hashCode() {
        return (int) (h0 ^ (h0 >>> 32));
    }

    @Override
    public String toString() {
        return "KeyHash[" + Long.toHexString(h0 >>> 32) + "…]"; // never the whole hash in a log line
    }
}
