package dev.tollgate.ledger;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Makes API keys: {@code tg_live_} or {@code tg_test_} followed by 32 URL-safe Base64 characters
 * (24 bytes, 192 bits, from {@link SecureRandom}). The fixed prefix lets secret scanners find leaked
 * keys; the test prefix marks keys of test accounts. Also derives the short non-secret display prefix
 * a ledger keeps. Thread-safe.
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
     * {@return the part of a key a ledger may keep and show: a generated key's {@code tg_live_} or
     * {@code tg_test_} and 4 characters; of an imported key, 4 characters when it has 16 or more, else 2}
     *
     * @param key the key
     */
    public static String displayPrefix(String key) {
        if (key.startsWith(LIVE_PREFIX) || key.startsWith(TEST_PREFIX)) {
            return key.substring(0, Math.min(key.length(), LIVE_PREFIX.length() + 4));
        }
        return key.substring(0, Math.min(key.length(), key.length() >= 16 ? 4 : 2));
    }

    /**
     * {@return the account id the PostgreSQL ledger's upgrade gives an account that used to be named by
     * this key: {@code acct_} and the first 24 hex digits of the key's SHA-256} Not secret: it cannot be
     * turned back into the key. Also what the sample names its demo accounts, so a fresh and an upgraded
     * database agree.
     *
     * @param key the key that used to be the account id
     */
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
