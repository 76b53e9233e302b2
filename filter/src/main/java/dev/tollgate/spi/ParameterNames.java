package dev.tollgate.spi;

import java.util.Set;

/**
 * The {@code tollgate.*} parameters an optional module reads, declared so that Tollgate accepts
 * them. Tollgate refuses to start on a {@code tollgate.*} parameter nobody reads, so that a typo
 * never goes unseen; the core knows only its own parameters, and each module (a ledger, a
 * rate-limit store, a payment scheme) declares its own through this interface.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Declared with {@link java.util.ServiceLoader}: the module's JAR lists its implementation in
 *       {@code META-INF/services/dev.tollgate.spi.ParameterNames}. Tollgate loads them with the web
 *       application's class loader when it reads its parameters, so a module in {@code WEB-INF/lib}
 *       (or on the class path of an embedded server) is found; the implementation needs a public
 *       no-argument constructor.</li>
 *   <li>Every name and prefix starts with {@code tollgate.}; anything else is refused at start-up,
 *       naming the module.</li>
 *   <li>Prefer exact {@link #names()}: a name under a declared {@link #prefixes() prefix} is accepted
 *       whatever follows it, so a typo there is no longer caught. Prefixes are for open-ended
 *       families, such as one parameter per configured item.</li>
 *   <li>Declaring a name only lets it through the check; the module reads and validates its value
 *       itself (typically in the constructor that takes the parameter map) and fails with a message
 *       that names the parameter and the value.</li>
 *   <li>An unknown name in a family a present module declares (the same text up to its last dot,
 *       such as {@code tollgate.example.}) is reported with that module's {@link #module() name} and
 *       names; an unknown name in a family no module declares is reported as the parameter of a
 *       module that is probably missing from the application.</li>
 * </ul>
 * Called once per start-up; implementations are stateless and thread-safe, and must not block.
 */
public interface ParameterNames {

    /**
     * {@return what the user adds to get this module, for messages: its Maven artifact id, such as
     * {@code tollgate-example-store}}
     */
    String module();

    /** {@return the exact parameter names the module reads} */
    Set<String> names();

    /**
     * {@return prefixes (ending in a dot) under which the module accepts any name; empty by default}
     */
    default Set<String> prefixes() {
        return Set.of();
    }
}
