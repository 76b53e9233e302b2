package dev.tollgate;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Policies from configuration, for what cannot be annotated (paths of static files, servlets of
 * libraries); see {@code docs/path-policies.md}. Their attributes are checked when Tollgate starts,
 * through the annotation interfaces, so a bad one names the policy and the attribute.
 *
 * <table>
 *   <caption>Policy parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #POLICIES}</td><td>none</td><td>a properties file of policies for what cannot be
 *       annotated ({@code /WEB-INF/...} in the web application, or {@code classpath:...}), with entries
 *       {@code policy.<id>.<attribute>}</td></tr>
 *   <tr><td>{@code tollgate.policy.<id>.<attribute>}</td><td></td><td>the same policies given one
 *       parameter each, such as {@code tollgate.policy.pdfs.paths = *.pdf} and
 *       {@code tollgate.policy.pdfs.price = 2}</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 *
 * @param resource the resource holding policies, or {@code null}; not empty
 * @param entries policies given as parameters: {@code <id>.<attribute>} to value, sorted
 */
public record PolicySettings(String resource, Map<String, String> entries) {

    /** Parameter: a properties file of configured policies. */
    public static final String POLICIES = "tollgate.policies";
    /** Prefix of parameters that configure one policy each: {@code tollgate.policy.<id>.<attribute>}. */
    public static final String POLICY_PREFIX = "tollgate.policy.";

    static final Set<String> NAMES = Set.of(POLICIES);
    static final PolicySettings DEFAULTS = new PolicySettings(null, Map.of());

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param resource the resource holding policies, or {@code null}; not empty
     * @param entries policies given as parameters: {@code <id>.<attribute>} to value, sorted
     * @throws IllegalArgumentException if the resource name is empty; the message names the parameter and the value
     */
    public PolicySettings {
        if (resource != null) {
            ParameterText.nonEmpty(POLICIES, resource);
        }
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    PolicySettings withEntries(Map<String, String> entries) {
        return new PolicySettings(resource, Objects.requireNonNull(entries, "entries"));
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    PolicySettings with(String name, String text) {
        return name.equals(POLICIES) ? new PolicySettings(text, entries) : this;
    }
}
