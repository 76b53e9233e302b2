package dev.tollgate.sample;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The one check in front of every operator page of the sample ({@code /admin/*}): off (404) unless
 * {@code TOLLGATE_ADMIN_KEY} is set (system property or environment variable); then the key must
 * come either in {@code X-Admin-Key} or as the password of HTTP Basic authentication (any user
 * name), so that a browser, prompted by the {@code WWW-Authenticate: Basic} challenge of the 401,
 * can open an admin page. Keys are compared in constant time (as SHA-256 digests, so not even the
 * length leaks) and never logged. Basic credentials open only safe requests ({@code GET}, {@code HEAD}):
 * a browser sends stored Basic credentials with requests another site makes it send, so a change
 * ({@code POST} and the rest) needs the key in {@code X-Admin-Key}, a header no other site can make a
 * browser send without a CORS preflight the sample never grants (cross-site request forgery). Stateless and
 * thread-safe.
 */
final class AdminAuth {

    /** The realm of the Basic challenge. */
    static final String REALM = "tollgate-sample";

    /** Longer {@code Authorization} or {@code X-Admin-Key} values are refused without decoding. */
    private static final int MAX_CREDENTIAL = 4096;

    private AdminAuth() {
    }

    /**
     * Lets an operator request through, or answers it.
     *
     * @param request the request
     * @param response the response: 404 when admin pages are off, a 401 problem with
     *     {@code WWW-Authenticate: Basic realm="tollgate-sample"} when the key is missing or wrong, a 403
     *     problem when a change comes with Basic credentials only
     * @return whether the request carries the admin key (if not, the answer has been sent)
     * @throws IOException if writing the answer fails
     */
    static boolean admit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String adminKey = Settings.get("TOLLGATE_ADMIN_KEY");
        if (adminKey == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND); // admin pages are off
            return false;
        }
        byte[] expected = sha256(adminKey.getBytes(StandardCharsets.UTF_8));
        String header = request.getHeader("X-Admin-Key");
        boolean ok = header != null && header.length() <= MAX_CREDENTIAL
                && MessageDigest.isEqual(sha256(header.getBytes(StandardCharsets.UTF_8)), expected);
        if (!ok) {
            byte[] password = basicPassword(request.getHeader("Authorization"));
            ok = password != null && MessageDigest.isEqual(sha256(password), expected);
            if (ok && !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                Json.problem(response, 403, "Forbidden",
                        "Changes need the admin key in X-Admin-Key; Basic authentication opens only GET pages.");
                return false;
            }
        }
        if (!ok) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            Json.problem(response, 401, "Unauthorized",
                    "Send the admin key in X-Admin-Key, or as the password of HTTP Basic authentication.");
        }
        return ok;
    }

    /** {@return the password of a Basic credential (RFC 7617), or {@code null} if there is none} */
    private static byte[] basicPassword(String authorization) {
        if (authorization == null || authorization.length() > MAX_CREDENTIAL
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                return java.util.Arrays.copyOfRange(decoded, i + 1, decoded.length);
            }
        }
        return null;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
