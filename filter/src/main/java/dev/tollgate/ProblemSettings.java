package dev.tollgate;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * How refusals name their problem types (RFC 9457 {@code type} members).
 *
 * <table>
 *   <caption>Problem parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #PROBLEM_TYPE_BASE}</td><td>{@value #DEFAULT_PROBLEM_TYPE_BASE}</td><td>the prefix of
 *       problem {@code type} URIs</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 *
 * @param problemTypeBase the prefix of problem type URIs: an absolute URI, such as one ending in
 *     {@code /} or {@code #}
 */
public record ProblemSettings(String problemTypeBase) {

    /** Parameter: the prefix of problem type URIs. */
    public static final String PROBLEM_TYPE_BASE = "tollgate.problemTypeBase";
    /** The default prefix of problem type URIs: {@value}. */
    public static final String DEFAULT_PROBLEM_TYPE_BASE = "https://tollgate.dev/problems/";

    static final Set<String> NAMES = Set.of(PROBLEM_TYPE_BASE);
    static final ProblemSettings DEFAULTS = new ProblemSettings(DEFAULT_PROBLEM_TYPE_BASE);

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param problemTypeBase the prefix of problem type URIs: an absolute URI, such as one ending in
     *     {@code /} or {@code #}
     * @throws IllegalArgumentException if the prefix is not an absolute URI; the message names the
     *     parameter and the value
     */
    public ProblemSettings {
        URI uri;
        try {
            uri = new URI(problemTypeBase);
        } catch (URISyntaxException | NullPointerException e) {
            throw new InvalidParameterException(PROBLEM_TYPE_BASE, problemTypeBase, "not a URI: " + problemTypeBase);
        }
        if (!uri.isAbsolute()) {
            throw new InvalidParameterException(PROBLEM_TYPE_BASE, problemTypeBase,
                    "not an absolute URI: " + problemTypeBase);
        }
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    ProblemSettings with(String name, String text) {
        return name.equals(PROBLEM_TYPE_BASE) ? new ProblemSettings(text) : this;
    }
}
