package dev.tollgate;

import jakarta.servlet.ServletContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * Chooses the implementation of one SPI type (ledger, payer resolver, renderer, rate-limit store,
 * rate-limit listener) at start-up, in the one order every type follows; the first step that yields
 * a candidate wins:
 *
 * <ol>
 *   <li>an instance given to {@link TollgateConfig.Builder} (for example {@code ledger(…)});
 *   <li>the servlet-context attribute named after the SPI interface ({@code dev.tollgate.spi.Ledger},
 *       {@code dev.tollgate.spi.PayerResolver}, …);
 *   <li>the class named by the type's {@code tollgate.*} parameter ({@code tollgate.ledger}, …),
 *       instantiated with its {@code Map<String, String>} or no-argument public constructor;
 *   <li>the one CDI bean of the type, when the application has a CDI container;
 *   <li>the one {@link ServiceLoader} entry ({@code META-INF/services/<interface>}) the web
 *       application's class loader sees;
 *   <li>the type's default.
 * </ol>
 *
 * <p>Two CDI beans or two {@code ServiceLoader} entries of one type stop the start with a message
 * naming both and the parameter that settles it. Each choice is logged once: at {@code INFO} when
 * found by CDI or {@code ServiceLoader} (implicit discovery is where surprises come from), else at
 * {@code DEBUG}. Implementations Tollgate instantiated itself (steps 3 and 5) are its own, and it
 * closes them at shutdown when they are {@link AutoCloseable}. README "Configuration", "Component
 * lookup", describes this order for users; keep the two in step.
 *
 * <p>Used once per start, on one thread; not thread-safe.
 */
final class ComponentLookup {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Where a component came from. */
    enum Source {
        /** Given to {@link TollgateConfig.Builder}. */
        CONFIGURATION("TollgateConfig"),
        /** A servlet-context attribute. */
        CONTEXT_ATTRIBUTE("servlet-context attribute"),
        /** A {@code tollgate.*} class parameter. */
        PARAMETER("parameter"),
        /** A CDI bean. */
        CDI("CDI bean"),
        /** A {@code ServiceLoader} entry. */
        SERVICE_LOADER("ServiceLoader"),
        /** The type's default. */
        DEFAULT("default");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * A chosen component.
     *
     * @param value the implementation; {@code null} only when the default is "none"
     * @param source where it came from
     * @param owned whether Tollgate created it (and so closes it)
     * @param how where it came from, for messages (such as "parameter tollgate.ledger")
     * @param <T> the SPI type
     */
    record Found<T>(T value, Source source, boolean owned, String how) {
    }

    private final ServletContext context;
    private final Map<String, String> parameters;
    private final ClassLoader loader;
    private final Optional<CdiBeans> cdi;

    ComponentLookup(ServletContext context, Map<String, String> parameters, ClassLoader loader,
                    Optional<CdiBeans> cdi) {
        this.context = context;
        this.parameters = parameters;
        this.loader = loader;
        this.cdi = cdi;
    }

    /**
     * Chooses the implementation of one type.
     *
     * @param type the SPI interface
     * @param configured the instance given to the builder, or {@code null}
     * @param parameter the {@code tollgate.*} parameter naming a class, for the class and for messages
     * @param className the value of that parameter, or {@code null}
     * @param fallback the default; may return {@code null} when the default is "none"
     * @param <T> the type
     * @return the choice
     * @throws IllegalStateException if the attribute holds another type, the class cannot be
     *     instantiated, or several beans or entries qualify
     */
    <T> Found<T> find(Class<T> type, T configured, String parameter, String className, Supplier<T> fallback) {
        Discovered<T> d = discover(type, configured, parameter, className);
        Source source = d != null ? d.source() : Source.DEFAULT;
        T value = d != null ? d.value() : fallback.get();
        Found<T> found = new Found<>(value, source, source == Source.PARAMETER || source == Source.SERVICE_LOADER,
                describe(source, type, parameter));
        LOG.log(source == Source.CDI || source == Source.SERVICE_LOADER
                        ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
                "{0}: {1} ({2})", type.getSimpleName(), value == null ? "none" : value.getClass().getName(),
                found.how());
        return found;
    }

    private record Discovered<T>(T value, Source source) {
    }

    /**
     * Chooses the implementations of a type that may have several (event listeners): the same
     * steps as {@link #find}, the first that yields any wins, but each step may yield several: the
     * instances given to the builder, the attribute's instance or collection of instances, the
     * classes the parameter names (comma-separated), every CDI bean, every {@code ServiceLoader}
     * entry.
     *
     * @param type the SPI interface
     * @param configured the instances given to the builder
     * @param parameter the {@code tollgate.*} parameter naming classes
     * @param classNames the classes it names
     * @param <T> the type
     * @return the choices, in order; empty when no step yields any
     * @throws IllegalStateException if the attribute holds another type or a class cannot be
     *     instantiated
     */
    <T> List<Found<T>> findAll(Class<T> type, List<? extends T> configured, String parameter,
                               List<String> classNames) {
        List<Found<T>> found = new ArrayList<>();
        if (!configured.isEmpty()) {
            configured.forEach(t -> found.add(new Found<>(t, Source.CONFIGURATION, false, "TollgateConfig")));
        } else if (context.getAttribute(type.getName()) != null) {
            Object attribute = context.getAttribute(type.getName());
            Iterable<?> values = attribute instanceof java.util.Collection<?> c ? c : List.of(attribute);
            for (Object o : values) {
                if (!type.isInstance(o)) {
                    throw new IllegalStateException("servlet-context attribute " + type.getName() + " holds a "
                            + (o == null ? "null" : o.getClass().getName()) + ", not a " + type.getName()
                            + " (nor a collection of them)");
                }
                found.add(new Found<>(type.cast(o), Source.CONTEXT_ATTRIBUTE, false,
                        describe(Source.CONTEXT_ATTRIBUTE, type, parameter)));
            }
        } else if (!classNames.isEmpty()) {
            for (String className : classNames) {
                found.add(new Found<>(instantiate(className, type, parameter), Source.PARAMETER, true,
                        describe(Source.PARAMETER, type, parameter)));
            }
        } else {
            if (cdi.isPresent()) {
                cdi.get().beans(type).forEach(t -> found.add(new Found<>(t, Source.CDI, false, "CDI bean")));
            }
            if (found.isEmpty()) {
                try {
                    for (T t : ServiceLoader.load(type, loader)) {
                        found.add(new Found<>(t, Source.SERVICE_LOADER, true,
                                describe(Source.SERVICE_LOADER, type, parameter)));
                    }
                } catch (ServiceConfigurationError e) {
                    throw new IllegalStateException("META-INF/services/" + type.getName() + ": " + e.getMessage()
                            + "; fix the entry or choose listeners with the " + parameter + " parameter", e);
                }
            }
        }
        for (Found<T> f : found) {
            LOG.log(f.source() == Source.CDI || f.source() == Source.SERVICE_LOADER
                    ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, "{0}: {1} ({2})",
                    type.getSimpleName(), f.value().getClass().getName(), f.how());
        }
        return found;
    }

    private <T> Discovered<T> discover(Class<T> type, T configured, String parameter, String className) {
        if (configured != null) {
            return new Discovered<>(configured, Source.CONFIGURATION);
        }
        Object attribute = context.getAttribute(type.getName());
        if (attribute != null) {
            if (!type.isInstance(attribute)) {
                throw new IllegalStateException("servlet-context attribute " + type.getName() + " holds a "
                        + attribute.getClass().getName() + ", not a " + type.getName());
            }
            return new Discovered<>(type.cast(attribute), Source.CONTEXT_ATTRIBUTE);
        }
        if (className != null) {
            return new Discovered<>(instantiate(className, type, parameter), Source.PARAMETER);
        }
        if (cdi.isPresent()) {
            Optional<T> bean = cdi.get().bean(type, parameter);
            if (bean.isPresent()) {
                return new Discovered<>(bean.get(), Source.CDI);
            }
        }
        T loaded = serviceLoader(type, parameter);
        return loaded == null ? null : new Discovered<>(loaded, Source.SERVICE_LOADER);
    }

    private static String describe(Source source, Class<?> type, String parameter) {
        return switch (source) {
            case CONTEXT_ATTRIBUTE -> "servlet-context attribute " + type.getName();
            case PARAMETER -> "parameter " + parameter;
            case SERVICE_LOADER -> "ServiceLoader, META-INF/services/" + type.getName();
            default -> source.toString();
        };
    }

    private <T> T serviceLoader(Class<T> type, String parameter) {
        List<T> found = new ArrayList<>();
        try {
            for (T t : ServiceLoader.load(type, loader)) {
                found.add(t);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("META-INF/services/" + type.getName() + ": " + e.getMessage()
                    + "; fix the entry or choose an implementation with the " + parameter + " parameter", e);
        }
        if (found.size() > 1) {
            StringJoiner names = new StringJoiner(", ");
            found.forEach(t -> names.add(t.getClass().getName()));
            throw new IllegalStateException("several implementations of " + type.getName() + " found through"
                    + " ServiceLoader (" + names + "); choose one with the " + parameter + " parameter");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private <T> T instantiate(String className, Class<T> type, String parameter) {
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\": class not found; is its JAR in"
                    + " WEB-INF/lib?", e);
        }
        if (!type.isAssignableFrom(c)) {
            throw new IllegalStateException(parameter + " = \"" + className + "\" does not implement " + type.getName());
        }
        try {
            try {
                Constructor<?> withParams = c.getConstructor(Map.class);
                return type.cast(withParams.newInstance(Map.copyOf(parameters)));
            } catch (NoSuchMethodException e) {
                return type.cast(c.getConstructor().newInstance());
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\" needs a public constructor taking"
                    + " no arguments or a Map<String, String> of parameters", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\": constructor failed: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\": cannot instantiate: " + e, e);
        }
    }
}
