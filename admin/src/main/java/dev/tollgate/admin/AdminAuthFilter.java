package dev.tollgate.admin;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.SecurityContext;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * The credential check in front of every admin request, before any route is matched: 404 when no
 * credential is configured, a 401 problem with {@code WWW-Authenticate: Basic} when none matches,
 * a 403 problem when a read-only credential asks for a change. The secret is sent in
 * {@code X-Admin-Key} or as the password of HTTP Basic authentication (any user name); Basic
 * credentials open only {@code GET} and {@code HEAD} (a browser would send stored Basic credentials
 * with a change another site forges), so a change with them is a 403. Every
 * configured credential is compared, on SHA-256 digests, without stopping at the first match.
 * Sets a {@link SecurityContext} whose principal is the credential's name (the actor of statements).
 */
@PreMatching
public final class AdminAuthFilter implements ContainerRequestFilter {

    /** The header carrying the admin secret. */
    public static final String HEADER = "X-Admin-Key";

    private final Supplier<List<AdminCredential>> credentials;
    private final String realm;
    private final String typeBase;

    AdminAuthFilter(Supplier<List<AdminCredential>> credentials, String realm, String typeBase) {
        this.credentials = credentials;
        this.realm = realm;
        this.typeBase = typeBase;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        List<AdminCredential> all;
        try {
            all = credentials.get();
        } catch (RuntimeException e) { // misconfigured: fail closed, and say so in the log only
            System.getLogger(AdminAuthFilter.class.getName()).log(System.Logger.Level.ERROR,
                    "admin credentials cannot be read: {0}", e.getMessage());
            request.abortWith(Problems.problem(typeBase, 500, "Internal Server Error", null,
                    "The admin credentials are misconfigured."));
            return;
        }
        if (all == null || all.isEmpty()) {
            request.abortWith(Problems.problem(typeBase, 404, "Not Found", null, "The admin API is off."));
            return;
        }
        String header = request.getHeaderString(HEADER);
        boolean byHeader = header != null && !header.isEmpty();
        AdminCredential who = match(all, sentDigest(request));
        if (who == null) {
            request.abortWith(jakarta.ws.rs.core.Response.fromResponse(Problems.problem(typeBase, 401,
                            "Unauthorized", null,
                            "Send an admin key in X-Admin-Key, or as the password of HTTP Basic authentication."))
                    .header("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"").build());
            return;
        }
        String method = request.getMethod();
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (!read && !byHeader) {
            // A browser sends stored Basic credentials with requests another site makes it send:
            // they open pages, never changes (cross-site request forgery); a change needs the header,
            // which no other site can make a browser send without a CORS preflight.
            request.abortWith(Problems.problem(typeBase, 403, "Forbidden", null,
                    "Changes need the admin key in X-Admin-Key; Basic authentication opens only GET pages."));
            return;
        }
        if (!read && who.role() != AdminRole.READ_WRITE) {
            request.abortWith(Problems.problem(typeBase, 403, "Forbidden", null,
                    "This admin credential is read-only."));
            return;
        }
        boolean secure = request.getSecurityContext() != null && request.getSecurityContext().isSecure();
        request.setSecurityContext(new Actor(who, secure));
    }

    /** The digest of the secret sent, or {@code null} if none (or an over-long one) was sent. */
    private static byte[] sentDigest(ContainerRequestContext request) {
        String header = request.getHeaderString(HEADER);
        if (header != null && !header.isEmpty() && header.length() <= AdminCredential.MAX_SECRET_LENGTH) {
            return AdminCredential.sha256(header.getBytes(StandardCharsets.UTF_8));
        }
        String authorization = request.getHeaderString("Authorization");
        if (authorization == null || authorization.length() > 2 * AdminCredential.MAX_SECRET_LENGTH
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
                byte[] password = Arrays.copyOfRange(decoded, i + 1, decoded.length);
                return password.length == 0 ? null : AdminCredential.sha256(password);
            }
        }
        return null;
    }

    private static AdminCredential match(List<AdminCredential> all, byte[] digest) {
        if (digest == null) {
            return null;
        }
        AdminCredential found = null;
        for (AdminCredential c : all) { // no early exit: the time does not tell which one matched
            if (c.matches(digest) && found == null) {
                found = c;
            }
        }
        return found;
    }

    /** The authenticated admin credential, as the request's security context. */
    private record Actor(AdminCredential credential, boolean secure) implements SecurityContext {
        @Override
        public Principal getUserPrincipal() {
            return credential::name;
        }

        @Override
        public boolean isUserInRole(String role) {
            return credential.role().name().equals(role)
                    || (credential.role() == AdminRole.READ_WRITE && AdminRole.READ_ONLY.name().equals(role));
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return "X-Admin-Key";
        }
    }
}
