package dev.tollgate;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Looks SPI implementations up among the application's CDI beans. Loaded only when the CDI API is
 * on the class path (see {@link #lookup}); without it, or without a running CDI container, every
 * lookup is empty and nothing changes.
 */
final class CdiBeans {

    private final CDI<Object> cdi;

    private CdiBeans(CDI<Object> cdi) {
        this.cdi = cdi;
    }

    /**
     * {@return the CDI container of the application being started, or empty when there is none}
     *
     * @param loader the application's class loader
     */
    static Optional<CdiBeans> lookup(ClassLoader loader) {
        try {
            Class.forName("jakarta.enterprise.inject.spi.CDI", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
        return Holder.current();
    }

    /**
     * {@return the one bean of a type, or empty when there is none}
     *
     * @param type the SPI type
     * @param parameter the configuration parameter that chooses an implementation explicitly, for
     *     the error message
     * @param <T> the type
     * @throws IllegalStateException if several beans qualify
     */
    <T> Optional<T> bean(Class<T> type, String parameter) {
        Instance<T> instance = cdi.select(type);
        if (instance.isUnsatisfied()) {
            return Optional.empty();
        }
        if (instance.isAmbiguous()) {
            StringJoiner names = new StringJoiner(", ");
            instance.handles().forEach(h -> names.add(h.getBean().getBeanClass().getName()));
            throw new IllegalStateException("several CDI beans implement " + type.getName() + " (" + names
                    + "); make one an @Alternative, or choose one with the " + parameter + " parameter");
        }
        return Optional.of(instance.get()); // ComponentLookup logs the choice
    }

    /**
     * {@return every bean of a type, for extension points that take several}
     *
     * @param type the SPI type
     * @param <T> the type
     */
    <T> List<T> beans(Class<T> type) {
        List<T> all = new java.util.ArrayList<>();
        cdi.select(type).forEach(all::add);
        return all;
    }

    /** Kept apart so that the CDI types load only once the API is known to be there. */
    private static final class Holder {
        static Optional<CdiBeans> current() {
            try {
                return Optional.of(new CdiBeans(CDI.current()));
            } catch (IllegalStateException | NoClassDefFoundError | UnsupportedOperationException noContainer) {
                return Optional.empty();
            }
        }
    }
}
