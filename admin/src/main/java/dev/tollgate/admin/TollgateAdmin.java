package dev.tollgate.admin;

import dev.tollgate.ProblemSettings;
import dev.tollgate.ledger.AccountAdministration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The admin API as a set of Jakarta REST components, configured once: return {@link #components()}
 * from your {@code Application.getSingletons()} under the path of your choice (the sample uses
 * {@code /admin}).
 *
 * <pre>{@code
 * @ApplicationPath("/admin")
 * public class AdminApplication extends Application {
 *     public Set<Object> getSingletons() {
 *         return TollgateAdmin.builder()
 *                 .credentials(() -> AdminCredentials.parse(System.getenv("TOLLGATE_ADMIN_KEYS")))
 *                 .build().components();
 *     }
 * }
 * }</pre>
 *
 * <p>Every request needs an admin credential ({@code X-Admin-Key}, or the password of HTTP Basic
 * authentication); with no credential configured the whole API answers 404. The ledger is the
 * deployment's Tollgate ledger (found through the servlet context) unless one is given here; it must
 * implement {@link AccountAdministration} (else 501). Immutable and thread-safe.
 */
public final class TollgateAdmin {

    private final Supplier<List<AdminCredential>> credentials;
    private final Object administration;
    private final java.time.Clock clock;
    private final String realm;
    private final String problemTypeBase;

    private TollgateAdmin(Builder b) {
        this.credentials = b.credentials;
        this.administration = b.administration;
        this.clock = b.clock;
        this.realm = b.realm;
        this.problemTypeBase = b.problemTypeBase;
    }

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return new instances of the admin API's resources, credential filter and exception mapper,
     * for {@code Application.getSingletons()}}
     */
    public Set<Object> components() {
        return Set.of(new AdminAuthFilter(credentials, realm, problemTypeBase),
                new AdminExceptionMapper(problemTypeBase),
                new AccountsResource(administration, clock),
                new KeysResource(administration, clock),
                new OpenApiResource());
    }

    /** Configures a {@link TollgateAdmin}. */
    public static final class Builder {
        private Supplier<List<AdminCredential>> credentials = List::of;
        private Object administration;
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private String realm = "tollgate-admin";
        private String problemTypeBase = ProblemSettings.DEFAULT_PROBLEM_TYPE_BASE;

        private Builder() {
        }

        /**
         * Fixed credentials.
         *
         * @param credentials the credentials
         * @return this builder
         */
        public Builder credentials(List<AdminCredential> credentials) {
            List<AdminCredential> copy = List.copyOf(credentials);
            this.credentials = () -> copy;
            return this;
        }

        /**
         * Credentials read again on every request (so an operator can switch the API on or off
         * without a redeploy); an empty list switches the API off (404).
         *
         * @param credentials the source of the credentials; must not return {@code null}
         * @return this builder
         */
        public Builder credentials(Supplier<List<AdminCredential>> credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * The ledger to administer, instead of the deployment's Tollgate ledger; when it also
         * implements {@link dev.tollgate.ledger.KeyAdministration}, its keys are administered too.
         *
         * @param administration the ledger
         * @return this builder
         */
        public Builder administration(AccountAdministration administration) {
            this.administration = Objects.requireNonNull(administration, "administration");
            return this;
        }

        /**
         * The clock that tells whether a key is usable now (tests); the system UTC clock by default.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(java.time.Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The realm of the {@code WWW-Authenticate: Basic} challenge of a 401.
         *
         * @param realm the realm: 1 to 64 of {@code A-Z a-z 0-9 . _ -}
         * @return this builder
         */
        public Builder realm(String realm) {
            if (realm == null || !AdminCredential.NAME.matcher(realm).matches()) {
                throw new IllegalArgumentException("realm must be 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            this.realm = realm;
            return this;
        }

        /**
         * The base of problem type URIs (as {@code tollgate.problem.typeBase}).
         *
         * @param base the base, ending in {@code /}
         * @return this builder
         */
        public Builder problemTypeBase(String base) {
            this.problemTypeBase = Objects.requireNonNull(base, "base");
            return this;
        }

        /** {@return the admin API} */
        public TollgateAdmin build() {
            return new TollgateAdmin(this);
        }
    }

    /** Reads credentials from configuration text. */
    public static final class AdminCredentials {
        private AdminCredentials() {
        }

        /**
         * Parses {@code name:role:secret} items separated by commas or white space, such as
         * {@code ops:read-write:s3cret-1 auditor:read-only:s3cret-2} (the format of
         * {@code tollgate.admin.keys}). Blank or {@code null} text is no credential.
         *
         * @param text the text
         * @return the credentials
         * @throws IllegalArgumentException naming the item's position (never its secret) if one is
         *     malformed, or naming a name used twice
         */
        public static List<AdminCredential> parse(String text) {
            List<AdminCredential> out = new ArrayList<>();
            if (text == null || text.isBlank()) {
                return out;
            }
            String[] items = text.strip().split("[,\\s]+");
            for (int i = 0; i < items.length; i++) {
                String[] parts = items[i].split(":", 3);
                if (parts.length != 3) {
                    throw new IllegalArgumentException("admin credential " + (i + 1)
                            + " is not name:role:secret");
                }
                AdminCredential c = AdminCredential.of(parts[0], AdminRole.parse(parts[1]), parts[2]);
                if (out.stream().anyMatch(o -> o.name().equals(c.name()))) {
                    throw new IllegalArgumentException("admin credential name \"" + c.name() + "\" is used twice");
                }
                out.add(c);
            }
            return out;
        }
    }
}
