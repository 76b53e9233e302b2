package dev.tollgate.internal;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.Money;
import dev.tollgate.annotations.Free;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.spi.RateLimitKeyResolver;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@link RequiresPayment}, {@link RateLimited} and {@link Free} from servlet classes and
 * builds validated {@link Policy} objects; also those of Jakarta REST resource methods
 * ({@link #resourceMethod}). Not thread-safe.
 *
 * <p>Rules: class-level annotations cover the HTTP methods the servlet implements (its
 * {@code doXxx} overrides below {@link HttpServlet}), except OPTIONS and TRACE; a servlet that
 * overrides {@code service} is covered for every method but OPTIONS and TRACE. Method-level
 * annotations replace the class-level ones of the same kind. HEAD takes GET's policy unless
 * {@code doHead} is declared.
 */
public final class PolicyScanner {

    private static final Map<String, String> DO_METHODS = new LinkedHashMap<>();

    static {
        DO_METHODS.put("GET", "doGet");
        DO_METHODS.put("HEAD", "doHead");
        DO_METHODS.put("POST", "doPost");
        DO_METHODS.put("PUT", "doPut");
        DO_METHODS.put("DELETE", "doDelete");
        DO_METHODS.put("PATCH", "doPatch");
        DO_METHODS.put("OPTIONS", "doOptions");
        DO_METHODS.put("TRACE", "doTrace");
    }

    private static final Set<ChronoUnit> UNITS = Set.of(ChronoUnit.MILLIS, ChronoUnit.SECONDS, ChronoUnit.MINUTES,
            ChronoUnit.HOURS, ChronoUnit.HALF_DAYS, ChronoUnit.DAYS);
    private static final Pattern POLICY_NAME = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,64}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern ENTITLEMENT = Pattern.compile("[\\x21-\\x7e]{1,128}");
    private static final Pattern SCHEME = Pattern.compile("[a-z0-9._-]{1,64}");

    private final Map<String, MethodPolicies> table = new LinkedHashMap<>();

    /**
     * Adds the policies of one servlet.
     *
     * @param servletName the registration name
     * @param type the servlet class
     * @return whether any method of the servlet is covered
     * @throws InvalidPolicyException if an annotation is invalid
     */
    public boolean add(String servletName, Class<?> type) {
        MethodPolicies m = scan(servletName, type);
        if (m.isEmpty()) {
            return false;
        }
        table.put(servletName, m);
        return true;
    }

    /** {@return the table of everything added} */
    public PolicyTable build() {
        return new PolicyTable(table);
    }

    /**
     * Builds the policy of a Jakarta REST resource method: its own annotations, else its class's
     * ({@code @Free} on the method drops the class's price; a method's {@code @RateLimited}
     * replaces the class's limits). Does not add it to the table.
     *
     * @param name the resource method's name in charges, logs and shared rate-limit keys, the same
     *     on every node, such as {@code QuoteResource.quote}
     * @param httpMethod the HTTP method it answers, such as {@code GET}
     * @param resourceClass the resource class
     * @param method the resource method
     * @return the policy, or {@code null} when the method is neither priced nor limited
     * @throws InvalidPolicyException if an annotation is invalid
     */
    public Policy resourceMethod(String name, String httpMethod, Class<?> resourceClass, Method method) {
        String className = resourceClass.getName();
        String where = className + "." + method.getName();
        RequiresPayment classPayment = resourceClass.getAnnotation(RequiresPayment.class);
        RequiresPayment mp = method.getAnnotation(RequiresPayment.class);
        boolean free = method.isAnnotationPresent(Free.class);
        if (free && mp != null) {
            throw new InvalidPolicyException("@Free and @RequiresPayment both on " + where
                    + ": a method is either free or priced");
        }
        PaymentTerms terms = null;
        if (mp != null) {
            terms = terms(mp, where, httpMethod, name);
        } else if (classPayment != null && !free) {
            terms = terms(classPayment, "class " + className, httpMethod, name);
        }
        if (terms != null) {
            terms = terms.declaredOn(new EndpointElement(method, resourceClass));
        }
        RateLimited[] ml = method.getAnnotationsByType(RateLimited.class);
        List<LimitTier> tiers = ml.length > 0 ? tiers(ml, where, name + ":" + where)
                : tiers(resourceClass.getAnnotationsByType(RateLimited.class), "class " + className,
                        name + ":" + className);
        if (terms == null && tiers.isEmpty()) {
            return null;
        }
        String origin = mp != null || free || ml.length > 0 ? where : className;
        return new Policy(name, httpMethod, origin, terms, tiers);
    }

    /**
     * Builds the policies of a configured (not annotated) policy, validated like annotations. All
     * methods share the limits' buckets, as the methods of a class-level annotation do.
     *
     * @param id the policy's id: its name in charges ({@code "GET <id>"}), logs and shared keys
     * @param where the configuration entry, for messages, such as {@code tollgate.policy.pdfs}
     * @param payment the payment terms, or {@code null}
     * @param limits the limits, possibly none
     * @param methods the HTTP methods covered
     * @return the policies by HTTP method
     * @throws InvalidPolicyException if a value is invalid
     */
    public Map<String, Policy> configured(String id, String where, RequiresPayment payment, RateLimited[] limits,
                                          List<String> methods) {
        List<LimitTier> tiers = tiers(limits, where, "policy:" + id);
        Map<String, Policy> byMethod = new LinkedHashMap<>();
        for (String m : methods) {
            PaymentTerms terms = payment == null ? null : terms(payment, where, m, id);
            byMethod.put(m, new Policy(id, m, where, terms, tiers));
        }
        return byMethod;
    }

    private MethodPolicies scan(String servletName, Class<?> type) {
        String className = type.getName();
        rejectMisplaced(type);

        RequiresPayment classPayment = type.getAnnotation(RequiresPayment.class);
        RateLimited[] classLimits = type.getAnnotationsByType(RateLimited.class);
        PaymentTerms classTerms = classPayment == null ? null : terms(classPayment, "class " + className, "*",
                servletName).declaredOn(type);
        List<LimitTier> classBuckets = tiers(classLimits, "class " + className, servletName + ":" + className);

        boolean httpServlet = HttpServlet.class.isAssignableFrom(type);
        boolean overridesService = !httpServlet || declaresService(type);

        Map<String, Policy> byMethod = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : DO_METHODS.entrySet()) {
            String http = e.getKey();
            Method m = httpServlet ? findDoMethod(type, e.getValue()) : null;
            boolean classApplies = !http.equals("OPTIONS") && !http.equals("TRACE")
                    && (m != null || overridesService);
            PaymentTerms terms = classApplies ? classTerms : null;
            List<LimitTier> buckets = classApplies ? classBuckets : List.of();
            String origin = className;
            if (m != null) {
                String where = className + "." + m.getName();
                RequiresPayment mp = m.getAnnotation(RequiresPayment.class);
                boolean free = m.isAnnotationPresent(Free.class);
                if (free && mp != null) {
                    throw new InvalidPolicyException("@Free and @RequiresPayment both on " + where
                            + ": a method is either free or priced");
                }
                if (free) {
                    terms = null;
                } else if (mp != null) {
                    terms = terms(mp, where, http, servletName);
                } else if (terms != null) {
                    terms = terms.forResource(http + " " + servletName);
                }
                if (terms != null) {
                    terms = terms.declaredOn(new EndpointElement(m, type));
                }
                RateLimited[] ml = m.getAnnotationsByType(RateLimited.class);
                if (ml.length > 0) {
                    buckets = tiers(ml, where, servletName + ":" + where);
                }
                if (mp != null || free || ml.length > 0) {
                    origin = where;
                }
            } else if (terms != null) {
                terms = terms.forResource(http + " " + servletName);
            }
            if (terms != null || !buckets.isEmpty()) {
                byMethod.put(http, new Policy(servletName, http, origin, terms, buckets));
            }
        }
        if (httpServlet && findDoMethod(type, "doHead") == null) {
            Policy get = byMethod.get("GET");
            if (get != null) {
                PaymentTerms t = get.payment() == null ? null : get.payment().forResource("HEAD " + servletName);
                byMethod.put("HEAD", new Policy(servletName, "HEAD", get.origin(), t, get.tiers()));
            } else {
                byMethod.remove("HEAD");
            }
        }
        Policy other = null;
        if (overridesService && (classTerms != null || !classBuckets.isEmpty())) {
            PaymentTerms t = classTerms == null ? null : classTerms.forResource("* " + servletName);
            other = new Policy(servletName, "*", className, t, classBuckets);
        }
        return new MethodPolicies(byMethod, other);
    }

    /** Annotations on methods that are not do-methods would silently do nothing: refuse them. */
    private static void rejectMisplaced(Class<?> type) {
        for (Class<?> c = type; c != null && c != HttpServlet.class && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (!hasAny(m)) {
                    continue;
                }
                boolean doMethod = DO_METHODS.containsValue(m.getName()) && m.getParameterCount() == 2
                        && m.getParameterTypes()[0] == HttpServletRequest.class
                        && m.getParameterTypes()[1] == HttpServletResponse.class;
                if (!doMethod || !HttpServlet.class.isAssignableFrom(type)) {
                    throw new InvalidPolicyException("Tollgate annotation on " + c.getName() + "." + m.getName()
                            + " has no effect: put @RequiresPayment, @RateLimited and @Free on the servlet class or on"
                            + " its doGet/doPost/doPut/doDelete/doHead/doPatch/doOptions/doTrace methods");
                }
            }
        }
    }

    private static boolean hasAny(AnnotatedElement e) {
        return e.isAnnotationPresent(RequiresPayment.class) || e.isAnnotationPresent(Free.class)
                || e.getAnnotationsByType(RateLimited.class).length > 0;
    }

    private static Method findDoMethod(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != HttpServlet.class && c != Object.class; c = c.getSuperclass()) {
            try {
                return c.getDeclaredMethod(name, HttpServletRequest.class, HttpServletResponse.class);
            } catch (NoSuchMethodException ignored) {
                // keep walking up
            }
        }
        return null;
    }

    private static boolean declaresService(Class<?> type) {
        for (Class<?> c = type; c != null && c != HttpServlet.class && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals("service") && m.getParameterCount() == 2
                        && (m.getParameterTypes()[0] == HttpServletRequest.class
                            || m.getParameterTypes()[0] == ServletRequest.class)
                        && (m.getParameterTypes()[1] == HttpServletResponse.class
                            || m.getParameterTypes()[1] == ServletResponse.class)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static PaymentTerms terms(RequiresPayment a, String where, String http, String servletName) {
        String at = "@RequiresPayment on " + where + ": ";
        Money price;
        try {
            price = a.price().isEmpty() ? Money.zero(a.currency()) : Money.parse(a.price(), a.currency());
        } catch (IllegalArgumentException e) {
            String member = a.price().isEmpty() || e.getMessage().startsWith("currency") ? "currency" : "price";
            String value = member.equals("currency") ? a.currency() : a.price();
            throw new InvalidPolicyException(at + member + " \"" + value + "\" is invalid: " + e.getMessage());
        }
        String entitlement = null;
        if (!a.entitlement().isEmpty()) {
            if (!ENTITLEMENT.matcher(a.entitlement()).matches()) {
                throw new InvalidPolicyException(at + "entitlement \"" + a.entitlement()
                        + "\" must be 1 to 128 printable ASCII characters without spaces");
            }
            entitlement = a.entitlement();
        }
        if (a.price().isEmpty() && entitlement == null) {
            throw new InvalidPolicyException(at + "set a price (such as price = \"5\"), an entitlement, or both;"
                    + " to make a method of a priced class free, use @Free");
        }
        if (a.description().length() > 200) {
            throw new InvalidPolicyException(at + "description is longer than 200 characters");
        }
        String description = a.description().isBlank() ? null : a.description().strip();
        if (a.metered() && price.isZero()) {
            throw new InvalidPolicyException(at + "metered needs a price above zero: the most a call can cost");
        }
        java.util.Set<String> schemes = new java.util.LinkedHashSet<>();
        for (String scheme : a.schemes()) {
            if (scheme == null || !SCHEME.matcher(scheme).matches()) {
                throw new InvalidPolicyException(at + "schemes: \"" + scheme + "\" is not a payment scheme name"
                        + " (1 to 64 characters of a-z, 0-9, '.', '_', '-', such as \"account\")");
            }
            if (!schemes.add(scheme)) {
                throw new InvalidPolicyException(at + "schemes: \"" + scheme + "\" is named twice");
            }
        }
        return new PaymentTerms(price, entitlement, description, http + " " + servletName, a.metered(),
                List.copyOf(schemes));
    }

    private List<LimitTier> tiers(RateLimited[] limits, String where, String origin) {
        if (limits.length == 0) {
            return List.of();
        }
        // Group the limits into buckets: same plan, same key, same behaviour.
        Map<String, List<RateLimited>> groups = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        boolean hasDefault = false;
        for (RateLimited r : limits) {
            validate(r, where);
            String name = nameOf(r);
            if (!names.add(name)) {
                throw new InvalidPolicyException("@RateLimited on " + where + ": two limits are named \"" + name
                        + "\"; give them distinct name members");
            }
            hasDefault |= r.entitlement().isEmpty();
            groups.computeIfAbsent(r.entitlement() + "|" + r.key() + "|" + r.header() + "|" + r.resolver().getName()
                    + "|" + r.count() + "|" + r.shadow() + "|" + r.onStoreFailure(), k -> new ArrayList<>()).add(r);
        }
        if (!hasDefault) {
            throw new InvalidPolicyException("@RateLimited on " + where + ": every limit has an entitlement; add at"
                    + " least one limit without an entitlement for everyone else");
        }
        Map<String, List<BucketSpec>> byPlan = new LinkedHashMap<>();
        int group = 0;
        for (List<RateLimited> g : groups.values()) {
            RateLimited first = g.get(0);
            List<LimitSpec> specs = new ArrayList<>();
            StringBuilder digest = new StringBuilder();
            for (RateLimited r : g) {
                if (r.tokens() != first.tokens()) {
                    throw new InvalidPolicyException("@RateLimited on " + where
                            + ": limits with the same key must take the same tokens per request (" + first.tokens()
                            + " and " + r.tokens() + ")");
                }
                LimitSpec l = new LimitSpec(nameOf(r), r.requests(), Duration.of(r.period(), r.unit()));
                specs.add(l);
                digest.append(l.name()).append(l.requests()).append(l.period()).append(';');
            }
            digest.append(first.tokens());
            String stableId = origin + "#" + group++ + ":" + Integer.toHexString(digest.toString().hashCode());
            BucketSpec spec = new BucketSpec(stableId, first.key(),
                    first.key() == KeyBy.HEADER ? first.header() : null, resolver(first, where), first.tokens(),
                    first.count(), first.shadow(), first.onStoreFailure(), specs);
            byPlan.computeIfAbsent(first.entitlement(), k -> new ArrayList<>()).add(spec);
        }
        List<LimitTier> tiers = new ArrayList<>();
        byPlan.forEach((entitlement, buckets) -> {
            if (!entitlement.isEmpty()) {
                tiers.add(new LimitTier(entitlement, buckets, LimitTier.policyHeader(buckets)));
            }
        });
        List<BucketSpec> defaults = byPlan.get("");
        tiers.add(new LimitTier(null, defaults, LimitTier.policyHeader(defaults)));
        return List.copyOf(tiers);
    }

    private static RateLimitKeyResolver resolver(RateLimited r, String where) {
        if (r.key() != KeyBy.CUSTOM) {
            return null;
        }
        Class<?> type = r.resolver();
        String at = "@RateLimited on " + where + ": resolver = " + type.getName() + " ";
        if (!RateLimitKeyResolver.class.isAssignableFrom(type)) {
            throw new InvalidPolicyException(at + "does not implement " + RateLimitKeyResolver.class.getName());
        }
        try {
            return (RateLimitKeyResolver) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new InvalidPolicyException(at + "needs a public constructor without arguments");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new InvalidPolicyException(at + "could not be created: " + e);
        }
    }

    private static void validate(RateLimited r, String where) {
        String at = "@RateLimited on " + where + ": ";
        if (r.requests() < 1) {
            throw new InvalidPolicyException(at + "requests = " + r.requests() + " must be at least 1");
        }
        if (r.period() < 1) {
            throw new InvalidPolicyException(at + "period = " + r.period() + " must be at least 1");
        }
        if (!UNITS.contains(r.unit())) {
            throw new InvalidPolicyException(at + "unit = " + r.unit() + " is not supported; use MILLIS, SECONDS,"
                    + " MINUTES, HOURS, HALF_DAYS or DAYS");
        }
        long periodNanos;
        try {
            periodNanos = Duration.of(r.period(), r.unit()).toNanos();
        } catch (ArithmeticException e) {
            throw new InvalidPolicyException(at + "period = " + r.period() + " " + r.unit() + " is too long");
        }
        if (periodNanos % 1_000_000_000L != 0) {
            // The RateLimit-Policy header states windows in whole seconds; a 500 ms window would be
            // advertised at half its real rate.
            throw new InvalidPolicyException(at + "period = " + r.period() + " " + r.unit()
                    + " is not a whole number of seconds; express the limit per second or longer");
        }
        if (r.requests() > periodNanos) {
            throw new InvalidPolicyException(at + "requests = " + r.requests() + " per " + r.period() + " " + r.unit()
                    + " is more than one per nanosecond; Bucket4j cannot refill that fast");
        }
        if (r.tokens() < 1 || r.tokens() > r.requests()) {
            throw new InvalidPolicyException(at + "tokens = " + r.tokens() + " must be between 1 and requests ("
                    + r.requests() + ")");
        }
        if (r.key() == KeyBy.CUSTOM && r.resolver() == void.class) {
            throw new InvalidPolicyException(at + "key = CUSTOM needs resolver = a RateLimitKeyResolver class");
        }
        if (r.key() != KeyBy.CUSTOM && r.resolver() != void.class) {
            throw new InvalidPolicyException(at + "resolver = " + r.resolver().getName()
                    + " is only used with key = CUSTOM (key is " + r.key() + ")");
        }
        if (!r.entitlement().isEmpty() && !ENTITLEMENT.matcher(r.entitlement()).matches()) {
            throw new InvalidPolicyException(at + "entitlement = \"" + r.entitlement()
                    + "\" must be 1 to 128 printable ASCII characters without spaces");
        }
        if (r.key() == KeyBy.HEADER) {
            if (!HEADER_NAME.matcher(r.header()).matches()) {
                throw new InvalidPolicyException(at + "key = HEADER needs header = the name of a request header, not \""
                        + r.header() + "\"");
            }
        } else if (!r.header().isEmpty()) {
            throw new InvalidPolicyException(at + "header = \"" + r.header() + "\" is only used with key = HEADER (key is "
                    + r.key() + ")");
        }
        if (!r.name().isEmpty() && !POLICY_NAME.matcher(r.name()).matches()) {
            throw new InvalidPolicyException(at + "name = \"" + r.name()
                    + "\" must be 1 to 64 printable ASCII characters without spaces, '\"' or '\\'");
        }
    }

    private static String nameOf(RateLimited r) {
        if (!r.name().isEmpty()) {
            return r.name();
        }
        String key = switch (r.key()) {
            case PAYER -> "payer";
            case PRINCIPAL -> "principal";
            case CLIENT_IP -> "ip";
            case HEADER -> r.header().toLowerCase(java.util.Locale.ROOT);
            case GLOBAL -> "global";
            case CUSTOM -> r.resolver().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        };
        return key + "-" + r.requests() + "-per-" + periodText(Duration.of(r.period(), r.unit()));
    }

    private static String periodText(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms >= 600_000) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
