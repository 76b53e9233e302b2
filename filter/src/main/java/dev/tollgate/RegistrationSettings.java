package dev.tollgate;

import java.util.Set;

/**
 * Whether Tollgate runs at all and whether its filter registers itself. Both are read as context
 * parameters by {@link TollgateInitializer} before any filter exists; a filter's configuration
 * validates them too.
 *
 * <table>
 *   <caption>Registration parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #ENABLED}</td><td>{@code true}</td><td>{@code false} turns enforcement off: every
 *       request passes through untouched (context parameter; also stops auto-registration)</td></tr>
 *   <tr><td>{@value #AUTO_REGISTER}</td><td>{@code true}</td><td>{@code false} stops the filter from
 *       registering itself, for applications that declare it in {@code web.xml} or in code
 *       (context parameter)</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 *
 * @param enabled whether Tollgate enforces anything
 * @param autoRegister whether the filter registers itself
 */
public record RegistrationSettings(boolean enabled, boolean autoRegister) {

    /** Parameter: whether Tollgate enforces anything. */
    public static final String ENABLED = "tollgate.enabled";
    /** Parameter: whether the filter registers itself. */
    public static final String AUTO_REGISTER = "tollgate.autoRegister";

    static final Set<String> NAMES = Set.of(ENABLED, AUTO_REGISTER);
    static final RegistrationSettings DEFAULTS = new RegistrationSettings(true, true);

    RegistrationSettings withEnabled(boolean enabled) {
        return new RegistrationSettings(enabled, autoRegister);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    RegistrationSettings with(String name, String text) {
        return switch (name) {
            case ENABLED -> withEnabled(ParameterText.bool(name, text));
            case AUTO_REGISTER -> new RegistrationSettings(enabled, ParameterText.bool(name, text));
            default -> this;
        };
    }
}
