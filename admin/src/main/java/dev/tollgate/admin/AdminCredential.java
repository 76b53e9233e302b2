package dev.tollgate.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One operator credential of the admin API: a name (recorded in the statement as who did an
 * action), a role, and a secret kept only as its SHA-256 digest. The secret is never logged and
 * {@link #toString()} leaves it out; comparison is constant-time on digests, so neither the
 * content nor the length of the secret leaks through timing. Immutable.
 */
public final class AdminCredential {

    /** Names: 1 to 64 of {@code A-Z a-z 0-9 . _ -}, so that a name is safe in a statement line. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Secrets shorter than this are refused (use 32 or more random characters). */
    public static final int MIN_SECRET_LENGTH = 1;

    /** Secrets longer than this (and any sent value longer than this) are refused. */
    public static final int MAX_SECRET_LENGTH = 4096;

    private final String name;
    private final AdminRole role;
    private final byte[] digest;

    private AdminCredential(String name, AdminRole role, byte[] digest) {
        this.name = name;
        this.role = role;
        this.digest = digest;
    }

    /**
     * Makes a credential.
     *
     * @param name who uses it, as recorded in statements ({@link #NAME})
     * @param role what it may do
     * @param secret the secret an operator sends ({@value #MIN_SECRET_LENGTH} to
     *     {@value #MAX_SECRET_LENGTH} characters); only its digest is kept
     * @return the credential
     * @throws IllegalArgumentException naming the credential (never quoting the secret) if the name
     *     or the secret is unfit
     */
    public static AdminCredential of(String name, AdminRole role, String secret) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("admin credential name must be 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        Objects.requireNonNull(role, "role");
        if (secret == null || secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH) {
            throw new IllegalArgumentException("the secret of admin credential \"" + name + "\" must be "
                    + MIN_SECRET_LENGTH + " to " + MAX_SECRET_LENGTH + " characters");
        }
        return new AdminCredential(name, role, sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@return the name recorded as the actor} */
    public String name() {
        return name;
    }

    /** {@return the role} */
    public AdminRole role() {
        return role;
    }

    /**
     * Tells whether a sent secret is this credential's, in time that does not depend on where the
     * two differ.
     *
     * @param sentDigest the SHA-256 digest of what was sent
     * @return whether it matches
     */
    boolean matches(byte[] sentDigest) {
        return MessageDigest.isEqual(digest, sentDigest);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "AdminCredential[" + name + ", " + role + "]";
    }
}
