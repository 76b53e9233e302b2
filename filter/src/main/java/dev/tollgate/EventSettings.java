package dev.tollgate;

import dev.tollgate.spi.events.TollgateListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Who hears Tollgate's events ({@link TollgateListener}): listeners given in code, or classes named by
 * a parameter. Both are only candidates; {@link TollgateListener} describes the order in which
 * listeners are found.
 *
 * <table>
 *   <caption>Event parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #LISTENERS}</td><td>none</td><td>the class names of {@link TollgateListener}s,
 *       comma-separated; each needs a public constructor taking no arguments or a
 *       {@code Map<String, String>} of parameters</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe (the listeners are the caller's).
 *
 * @param listeners the listeners given in code, in order
 * @param listenerClasses the listener class names, in order
 */
public record EventSettings(List<TollgateListener> listeners, List<String> listenerClasses) {

    /** Parameter: the event listener classes. */
    public static final String LISTENERS = "tollgate.events.listeners";

    static final Set<String> NAMES = Set.of(LISTENERS);
    static final EventSettings DEFAULTS = new EventSettings(List.of(), List.of());

    /**
     * Checks and copies the values; every way of setting them (builder, parameters, this
     * constructor) ends here.
     *
     * @param listeners the listeners given in code, in order
     * @param listenerClasses the listener class names, in order
     * @throws IllegalArgumentException if a class name is empty; the message names the parameter
     *     and the value
     */
    public EventSettings {
        listeners = List.copyOf(listeners);
        for (String c : listenerClasses) {
            if (c == null || c.isBlank()) {
                throw new InvalidParameterException(LISTENERS, String.join(",", listenerClasses),
                        "an empty class name");
            }
        }
        listenerClasses = List.copyOf(listenerClasses);
    }

    EventSettings withListener(TollgateListener listener) {
        List<TollgateListener> all = new ArrayList<>(listeners);
        all.add(Objects.requireNonNull(listener, "listener"));
        return new EventSettings(all, listenerClasses);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    EventSettings with(String name, String text) {
        if (!name.equals(LISTENERS)) {
            return this;
        }
        List<String> classes = new ArrayList<>();
        for (String c : ParameterText.nonEmpty(name, text).split(",", -1)) {
            classes.add(c.strip());
        }
        return new EventSettings(listeners, classes);
    }
}
