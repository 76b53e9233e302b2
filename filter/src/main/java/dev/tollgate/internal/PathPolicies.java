package dev.tollgate.internal;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.annotations.Count;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.annotations.StoreFailure;
import java.lang.annotation.Annotation;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Policies from configuration, for what cannot be annotated (static files, third-party servlets,
 * a framework's front controller): by servlet name, or by servlet-style URL pattern matched on the
 * container's own mapping of the request (servlet path plus path info, decoded and normalised by
 * the container), never on the raw request URI.
 *
 * <p>Each policy is a group of entries {@code <id>.<attribute> = value}; see
 * {@code docs/path-policies.md}. URL patterns follow the Servlet specification: exact
 * ({@code /pricing.json}), prefix ({@code /files/*}, which also matches {@code /files}),
 * extension ({@code *.pdf}) and default ({@code /}); the most specific pattern wins, in that
 * order, as in the container's own servlet mapping. A policy by servlet name wins over one by
 * pattern; annotations on a servlet win over both.
 *
 * <p>Immutable after {@link #parse}; a lookup allocates only the path it matches.
 */
public final class PathPolicies {

    /** Methods a policy covers unless it lists its own: everything but CORS pre-flight and TRACE. */
    private static final Set<String> NOT_BY_DEFAULT = Set.of("OPTIONS", "TRACE");

    private static final Set<String> ATTRIBUTES = Set.of("servlets", "paths", "methods", "price", "currency", "schemes",
            "entitlement", "description", "limit", "limit.key", "limit.header", "limit.tokens", "limit.count",
            "limit.shadow", "limit.onStoreFailure");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern LIMIT = Pattern.compile("(\\d{1,18})\\s*/\\s*(\\d{0,18})\\s*(ms|s|m|h|d)");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,20}");

    /** An empty set: no configured policies. */
    public static final PathPolicies NONE = new PathPolicies(Map.of(), Map.of(), Map.of(), Map.of(), null);

    private final Map<String, Entry> byServlet;
    private final Map<String, Entry> exact;
    private final Map<String, Entry> prefix; // "/files/*" stored as "/files"; "/*" as ""
    private final Map<String, Entry> extension; // "*.pdf" stored as "pdf"
    private final Entry fallback; // "/"
    private final boolean empty;
    private final boolean hasPaths;

    private PathPolicies(Map<String, Entry> byServlet, Map<String, Entry> exact, Map<String, Entry> prefix,
                         Map<String, Entry> extension, Entry fallback) {
        this.byServlet = copy(byServlet);
        this.exact = copy(exact);
        this.prefix = copy(prefix);
        this.extension = copy(extension);
        this.fallback = fallback;
        this.hasPaths = !exact.isEmpty() || !prefix.isEmpty() || !extension.isEmpty() || fallback != null;
        this.empty = byServlet.isEmpty() && !hasPaths;
    }

    /** One configured policy: its policies by HTTP method. */
    private record Entry(String id, Map<String, Policy> byMethod) {
        Policy forMethod(String method) {
            return byMethod.get(method);
        }
    }

    /** {@return every configured policy, for checks at start} */
    public List<Policy> all() {
        List<Policy> out = new ArrayList<>();
        for (Map<String, Entry> m : List.of(byServlet, exact, prefix, extension)) {
            m.values().forEach(e -> out.addAll(e.byMethod().values()));
        }
        if (fallback != null) {
            out.addAll(fallback.byMethod().values());
        }
        return out;
    }

    /** {@return whether no policy is configured} */
    public boolean isEmpty() {
        return empty;
    }

    /** {@return whether any policy matches URL patterns, so lookups need the request's path} */
    public boolean hasPaths() {
        return hasPaths;
    }

    /** An unmodifiable {@link HashMap} copy: probed per request, cheaper than {@code Map.copyOf}'s. */
    private static <V> Map<String, V> copy(Map<String, V> map) {
        return map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new HashMap<>(map));
    }

    /**
     * Finds the configured policy of a request.
     *
     * @param servletName the matched servlet's name, or {@code null}
     * @param path the servlet path plus path info as the container mapped them, or {@code null}
     * @param method the HTTP method
     * @return the policy, or {@code null} when none applies to this method
     */
    public Policy lookup(String servletName, String path, String method) {
        Entry e = servletName == null ? null : byServlet.get(servletName);
        if (e == null && path != null) {
            e = match(path);
        }
        return e == null ? null : e.forMethod(method);
    }

    private Entry match(String path) {
        Entry e = exact.get(path);
        if (e == null && path.length() > 1 && path.endsWith("/")) {
            // Frameworks behind one servlet (Jakarta REST, Spring MVC) may answer /pricing/ as /pricing.
            e = exact.get(path.substring(0, path.length() - 1));
        }
        if (e != null) {
            return e;
        }
        if (!prefix.isEmpty()) {
            // Longest prefix first: "/a/b/c" tries "/a/b/c", "/a/b", "/a", "".
            String p = path;
            while (true) {
                e = prefix.get(p);
                if (e != null) {
                    return e;
                }
                int slash = p.lastIndexOf('/');
                if (slash < 0) {
                    break;
                }
                p = p.substring(0, slash);
            }
        }
        if (!extension.isEmpty()) {
            int slash = path.lastIndexOf('/');
            int dot = path.lastIndexOf('.');
            if (dot > slash) {
                e = extension.get(path.substring(dot + 1));
                if (e != null) {
                    return e;
                }
            }
        }
        return fallback;
    }

    /** {@return the ids of the policies by servlet name, to warn about ones an annotation overrides} */
    public Map<String, String> servletNames() {
        Map<String, String> m = new TreeMap<>();
        byServlet.forEach((name, e) -> m.put(name, e.id()));
        return m;
    }

    /** {@return a one-line summary for the start-up log} */
    public String describe() {
        Map<String, List<String>> targets = new TreeMap<>();
        byServlet.forEach((n, e) -> targets.computeIfAbsent(e.id(), k -> new ArrayList<>()).add("servlet " + n));
        exact.forEach((p, e) -> targets.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(p));
        prefix.forEach((p, e) -> targets.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(p + "/*"));
        extension.forEach((x, e) -> targets.computeIfAbsent(e.id(), k -> new ArrayList<>()).add("*." + x));
        if (fallback != null) {
            targets.computeIfAbsent(fallback.id(), k -> new ArrayList<>()).add("/");
        }
        StringBuilder sb = new StringBuilder();
        targets.forEach((id, t) -> sb.append(sb.length() == 0 ? "" : "; ").append(id).append(' ').append(t));
        return sb.toString();
    }

    /**
     * Parses configured policies.
     *
     * @param entries {@code <id>.<attribute>} to value, from a policies file or from the
     *     {@code tollgate.policy.*} parameters with that prefix removed
     * @param source where the entries came from, for error messages, such as {@code tollgate.policy.}
     * @param scanner builds and validates the policies as for annotations
     * @return the policies
     * @throws InvalidPolicyException naming the entry, when anything is wrong
     */
    public static PathPolicies parse(Map<String, String> entries, String source, PolicyScanner scanner) {
        if (entries.isEmpty()) {
            return NONE;
        }
        Map<String, Map<String, String>> byId = new TreeMap<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            String id = dot < 0 ? key : key.substring(0, dot);
            String attribute = dot < 0 ? "" : key.substring(dot + 1);
            if (!ID.matcher(id).matches()) {
                throw new InvalidPolicyException(source + key + ": a policy id is 1 to 64 letters, digits, '-' or '_'");
            }
            if (!ATTRIBUTES.contains(attribute) && !attribute.startsWith("limit.plan.")) {
                throw new InvalidPolicyException(source + key + ": unknown attribute \"" + attribute + "\"; known: "
                        + new java.util.TreeSet<>(ATTRIBUTES) + " and limit.plan.<entitlement>");
            }
            byId.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(attribute, e.getValue() == null ? ""
                    : e.getValue().strip());
        }
        Map<String, Entry> byServlet = new HashMap<>();
        Map<String, Entry> exact = new HashMap<>();
        Map<String, Entry> prefix = new HashMap<>();
        Map<String, Entry> extension = new HashMap<>();
        Entry fallback = null;
        for (Map.Entry<String, Map<String, String>> p : byId.entrySet()) {
            String id = p.getKey();
            Map<String, String> a = p.getValue();
            String at = source + id + ": ";
            Entry entry = new Entry(id, policies(id, a, source, scanner));
            List<String> servlets = list(a.get("servlets"));
            List<String> paths = list(a.get("paths"));
            if (servlets.isEmpty() && paths.isEmpty()) {
                throw new InvalidPolicyException(at + "say what it covers: servlets = <servlet names> or paths ="
                        + " <URL patterns>, such as paths = /files/*, *.pdf");
            }
            for (String s : servlets) {
                claim(byServlet, s, entry, at, "servlet " + s);
            }
            for (String pattern : paths) {
                if (pattern.equals("/")) {
                    if (fallback != null) {
                        throw new InvalidPolicyException(at + "the pattern / is also claimed by policy " + fallback.id());
                    }
                    fallback = entry;
                } else if (pattern.startsWith("*.")) {
                    String ext = pattern.substring(2);
                    if (ext.isEmpty() || ext.contains("/") || ext.contains("*")) {
                        throw new InvalidPolicyException(at + "bad extension pattern \"" + pattern + "\"");
                    }
                    claim(extension, ext, entry, at, pattern);
                } else if (pattern.startsWith("/") && pattern.endsWith("/*")) {
                    String stem = pattern.substring(0, pattern.length() - 2);
                    if (stem.contains("*")) {
                        throw new InvalidPolicyException(at + "bad pattern \"" + pattern + "\": '*' only ends a prefix"
                                + " pattern (/files/*) or starts an extension pattern (*.pdf)");
                    }
                    claim(prefix, stem, entry, at, pattern);
                } else if (pattern.startsWith("/") && !pattern.contains("*")) {
                    claim(exact, pattern, entry, at, pattern);
                } else {
                    throw new InvalidPolicyException(at + "bad pattern \"" + pattern + "\": use a servlet URL pattern"
                            + " (/exact/path, /prefix/*, *.extension or /)");
                }
            }
        }
        return new PathPolicies(byServlet, exact, prefix, extension, fallback);
    }

    private static void claim(Map<String, Entry> map, String key, Entry entry, String at, String what) {
        Entry before = map.putIfAbsent(key, entry);
        if (before != null) {
            throw new InvalidPolicyException(at + what + " is also claimed by policy " + before.id());
        }
    }

    private static Map<String, Policy> policies(String id, Map<String, String> a, String source,
                                                PolicyScanner scanner) {
        String at = source + id + ".";
        RequiresPayment payment = null;
        if (a.containsKey("price") || a.containsKey("entitlement")) {
            payment = new Payment(a.getOrDefault("price", ""), a.getOrDefault("currency", "credits"),
                    a.getOrDefault("entitlement", ""), a.getOrDefault("description", ""),
                    list(a.get("schemes")).toArray(new String[0]));
        } else if (a.containsKey("currency") || a.containsKey("description") || a.containsKey("schemes")) {
            throw new InvalidPolicyException(at + "currency, " + at + "description and " + at + "schemes need a price"
                    + " or an entitlement");
        }
        List<RateLimited> limits = new ArrayList<>();
        for (Map.Entry<String, String> e : a.entrySet()) {
            String attribute = e.getKey();
            if (attribute.equals("limit")) {
                limits.addAll(limits(e.getValue(), "", a, at + attribute));
            } else if (attribute.startsWith("limit.plan.")) {
                limits.addAll(limits(e.getValue(), attribute.substring("limit.plan.".length()), a, at + attribute));
            }
        }
        if (limits.isEmpty() && a.keySet().stream().anyMatch(k -> k.startsWith("limit."))) {
            throw new InvalidPolicyException(at + "limit is missing: the limit.* options need limit = <requests>/<period>,"
                    + " such as limit = 5/1m");
        }
        if (payment == null && limits.isEmpty()) {
            throw new InvalidPolicyException(source + id + ": set a price, an entitlement or a limit");
        }
        List<String> methods = list(a.get("methods"));
        for (String m : methods) {
            if (!METHOD.matcher(m).matches()) {
                throw new InvalidPolicyException(at + "methods: \"" + m + "\" is not an HTTP method (GET, POST, ...)");
            }
        }
        if (methods.isEmpty()) {
            methods = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH");
        }
        return scanner.configured(id, source + id, payment, limits.toArray(new RateLimited[0]), methods);
    }

    private static List<RateLimited> limits(String value, String entitlement, Map<String, String> a, String at) {
        List<RateLimited> out = new ArrayList<>();
        for (String one : list(value)) {
            Matcher m = LIMIT.matcher(one);
            if (!m.matches()) {
                throw new InvalidPolicyException(at + " = \"" + value + "\": write each limit as <requests>/<period>"
                        + " with a unit of ms, s, m, h or d, such as 5/1m or 100/1h");
            }
            long requests = Long.parseLong(m.group(1));
            long period = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
            ChronoUnit unit = switch (m.group(3)) {
                case "ms" -> ChronoUnit.MILLIS;
                case "s" -> ChronoUnit.SECONDS;
                case "m" -> ChronoUnit.MINUTES;
                case "h" -> ChronoUnit.HOURS;
                default -> ChronoUnit.DAYS;
            };
            String base = at.substring(0, at.lastIndexOf(".limit") + 1);
            out.add(new Limit(requests, period, unit, enumValue(KeyBy.class, a.get("limit.key"), KeyBy.PAYER,
                    base + "limit.key"), a.getOrDefault("limit.header", ""),
                    longValue(a.get("limit.tokens"), 1, base + "limit.tokens"), entitlement,
                    enumValue(Count.class, a.get("limit.count"), Count.ALL, base + "limit.count"),
                    boolValue(a.get("limit.shadow"), base + "limit.shadow"),
                    enumValue(StoreFailure.class, a.get("limit.onStoreFailure"), StoreFailure.DEFAULT,
                            base + "limit.onStoreFailure")));
        }
        return out;
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, E otherwise, String at) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            E e = Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
            if (e == KeyBy.CUSTOM) {
                throw new InvalidPolicyException(at + " = CUSTOM needs a resolver class: use @RateLimited on the"
                        + " servlet, or a PayerResolver");
            }
            return e;
        } catch (IllegalArgumentException ex) {
            throw new InvalidPolicyException(at + " = \"" + value + "\": one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static long longValue(String value, long otherwise, String at) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidPolicyException(at + " = \"" + value + "\" is not a whole number");
        }
    }

    private static boolean boolValue(String value, String at) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidPolicyException(at + " = \"" + value + "\": true or false");
        };
    }

    /** {@link RequiresPayment} from configuration, validated by the scanner like the annotation. */
    private record Payment(String price, String currency, String entitlement, String description, String[] schemes)
            implements RequiresPayment {
        @Override
        public boolean metered() {
            return false; // metering is declared in code, next to the code that sets the amount
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return RequiresPayment.class;
        }
    }

    /** {@link RateLimited} from configuration, validated by the scanner like the annotation. */
    private record Limit(long requests, long period, ChronoUnit unit, KeyBy key, String header, long tokens,
                         String entitlement, Count count, boolean shadow, StoreFailure onStoreFailure)
            implements RateLimited {
        @Override
        public String name() {
            return "";
        }

        @Override
        public Class<?> resolver() {
            return void.class;
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return RateLimited.class;
        }
    }
}
