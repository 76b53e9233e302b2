package dev.tollgate;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads parameters by name into a {@link TollgateConfig.Builder}: each core name goes to the settings
 * object that owns it, {@code tollgate.policy.*} to the policies, and any other {@code tollgate.*} name
 * must be declared by a module ({@link ModuleParameters}) or start-up fails. Stateless.
 */
final class ParameterReader {

    /** The core's own parameter names: every settings class's. */
    static final Set<String> KNOWN = Set.copyOf(Stream.of(RegistrationSettings.NAMES, ComponentSettings.NAMES,
            PaymentSettings.NAMES, EventSettings.NAMES, IdentificationSettings.NAMES, BillingSettings.NAMES, IdempotencySettings.NAMES,
            RateLimitSettings.NAMES, ProxySettings.NAMES, ProblemSettings.NAMES, PolicySettings.NAMES)
            .flatMap(Set::stream).toList());

    private ParameterReader() {
    }

    /** See {@link TollgateConfig.Builder#apply(Map, ClassLoader)}. */
    static void apply(TollgateConfig.Builder builder, Map<String, String> parameters, ClassLoader loader) {
        ModuleParameters modules = null;
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("tollgate.")) {
                continue;
            }
            if (name.startsWith(PolicySettings.POLICY_PREFIX)) {
                builder.policy(name.substring(PolicySettings.POLICY_PREFIX.length()),
                        e.getValue() == null ? "" : e.getValue());
                continue;
            }
            if (!KNOWN.contains(name)) {
                if (modules == null) {
                    modules = ModuleParameters.load(loader); // only when the core does not know a name
                }
                if (!modules.accepts(name)) {
                    unknown.add(name);
                }
                continue; // a module's: validated by the module that reads it
            }
            String value = e.getValue() == null ? "" : e.getValue().strip();
            try {
                builder.set(name, value);
            } catch (IllegalArgumentException ex) {
                // The value as the user wrote it, not as its settings class holds it ("5", not PT5S).
                throw new IllegalArgumentException(InvalidParameterException.message(name, value,
                        ex instanceof InvalidParameterException i ? i.reason() : ex.getMessage()), ex);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(modules.unknownMessage(unknown, KNOWN));
        }
    }
}
