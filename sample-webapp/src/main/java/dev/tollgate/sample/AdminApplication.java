package dev.tollgate.sample;

import dev.tollgate.admin.AdminCredential;
import dev.tollgate.admin.AdminRole;
import dev.tollgate.admin.TollgateAdmin;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The operator API under {@code /admin}: tollgate-admin's resources (accounts, credits and debits,
 * entitlements, statements, keys, {@code /admin/openapi.json}; see docs/admin-api.md). Off (404)
 * unless {@code TOLLGATE_ADMIN_KEY} is set (system property or environment variable): that key is
 * the read-write credential, recorded as {@code admin} in statements; {@code TOLLGATE_ADMIN_KEYS}
 * may add more ({@code name:role:secret ...}), such as a read-only one. Both are read again on every
 * request. The other pages under {@code /admin/} are servlets of their own.
 */
@ApplicationPath("/admin")
public class AdminApplication extends Application {

    @Override
    public Set<Object> getSingletons() {
        return TollgateAdmin.builder()
                .credentials(AdminApplication::credentials)
                .realm("tollgate-sample")
                .build().components();
    }

    /**
     * {@return whether an endpoint (a servlet name, as in Tollgate's events) is one of the sample's
     * operator pages: the admin API (Jakarta REST names its servlet after this class) or a servlet
     * named {@code admin…}}
     *
     * @param endpoint the endpoint's name
     */
    static boolean isOperatorPage(String endpoint) {
        return endpoint.startsWith("admin") || endpoint.equals(AdminApplication.class.getName());
    }

    private static volatile Cached cached = new Cached(null, null, List.of());

    /** The configured credentials, parsed (and hashed) again only when the settings change. */
    static List<AdminCredential> credentials() {
        String key = Settings.get("TOLLGATE_ADMIN_KEY");
        String more = Settings.get("TOLLGATE_ADMIN_KEYS");
        Cached c = cached;
        if (!java.util.Objects.equals(c.key, key) || !java.util.Objects.equals(c.more, more)) {
            List<AdminCredential> list = new ArrayList<>();
            if (key != null) {
                list.add(AdminCredential.of("admin", AdminRole.READ_WRITE, key));
                list.addAll(TollgateAdmin.AdminCredentials.parse(more));
            }
            c = new Cached(key, more, List.copyOf(list));
            cached = c;
        }
        return c.credentials;
    }

    private record Cached(String key, String more, List<AdminCredential> credentials) {
    }
}
