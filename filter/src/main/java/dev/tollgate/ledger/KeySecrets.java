package dev.tollgate.ledger;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Makes API keys: {@code tg_live_} or {@code tg_test_} followed by 32 URL-safe Base64 characters
 * (24 bytes, 192 bits, from {@link SecureRandom}). The fixed prefix lets secret scanners find leaked
 * keys; the test prefix marks keys of test accounts. Also derives the short non-secret display prefix
 * a ledger keeps, and the random id of an imported key. Thread-safe.
 */
public final class KeySecrets {

    /** The prefix of live keys: {@value}. */
    public static final String LIVE_PREFIX = "tg_live_";
    /** The prefix of test keys: {@value}. */
    public static final String TEST_PREFIX = "tg_test_";
    /** Random bytes in a generated key: {@value} (192 bits). */
    public static final int RANDOM_BYTES = 24;
    /** The shortest key {@link KeyAdministration#importKey} accepts: {@value} characters. */
    public static final int MIN_IMPORTED_LENGTH = 8;
    /** The longest key accepted: {@value} characters (as {@code HeaderPayerResolver}). */
    public static final int MAX_LENGTH = 512;

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeySecrets() {
    }

    /**
     * {@return a new key}
     *
     * @param live {@code true} for a {@value #LIVE_PREFIX} key, {@code false} for {@value #TEST_PREFIX}
     */
    public static String generate(boolean live) {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return (live ? LIVE_PREFIX : TEST_PREFIX) + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * {@return a new id for an imported key: {@code key_} and 20 random hex digits (80 bits from
     * {@link SecureRandom})}
     *
     * <p>A generated key's id is {@link dev.tollgate.spi.ApiKey#idOf derived from its hash}, which is
     * harmless for 192 random bits. An imported key may be guessable, and its id is shown in admin
     * responses, audit log lines and statement notes that are never deleted; an id derived from its
     * hash would let anyone who sees it test guesses offline. So an imported key's id is random, of the
     * same shape.
     */
    public static String importedKeyId() {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        return "key_" + HexFormat.of().formatHex(bytes);
    }

    /**
     * {@return the part of a key a ledger may keep and show: a generated key's {@code tg_live_} or
     * {@code tg_test_} and 4 characters; of an imported key, 4 characters when it has 16 or more, else
     * none (the empty string): a short key has too few characters to give any away}
     *
     * @param key the key
     */
    public static String displayPrefix(String key) {
        if (key.startsWith(LIVE_PREFIX) || key.startsWith(TEST_PREFIX)) {
            return key.substring(0, Math.min(key.length(), LIVE_PREFIX.length() + 4));
        }
        return key.length() >= 16 ? key.substring(0, 4) : "";
    }

    /**
     * {@return {@code acct_} and the first 24 hex digits of the key's unsalted SHA-256}
     *
     * @param key a key
     * @deprecated An id derived from a key lets anyone who sees the id (statements, logs, webhooks)
     *     test guesses of the key offline. Neither the PostgreSQL upgrade nor the sample uses it any
     *     more: the upgrade gives renamed accounts random ids; find an upgraded account with
     *     {@code findKey(ApiKey.hash(oldKey))}. Kept only so that code written against it still
     *     compiles; do not name accounts with it.
     */
    @Deprecated(since = "issue 12 review", forRemoval = true)
    public static String legacyAccountId(String key) {
        return "acct_" + dev.tollgate.spi.ApiKey.hash(key).substring(0, 24);
    }

    /**
     * Checks a key given to {@link KeyAdministration#importKey}.
     *
     * @param key the candidate
     * @return the key
     * @throws IllegalArgumentException if it is shorter than {@value #MIN_IMPORTED_LENGTH} or longer than
     *     {@value #MAX_LENGTH} characters or has characters outside printable ASCII (the message does
     *     not repeat the key)
     */
    public static String requireImportable(String key) {
        if (key == null || key.length() < MIN_IMPORTED_LENGTH || key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a key must be " + MIN_IMPORTED_LENGTH + " to " + MAX_LENGTH
                    + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("a key must be printable ASCII without spaces");
            }
        }
        return key;
    }
}
