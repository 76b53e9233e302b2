package dev.tollgate;

import dev.tollgate.spi.ParameterNames;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code tollgate.*} parameters that optional modules declare through {@link ParameterNames},
 * and the message for names that neither the core nor a module reads. The core names no module's
 * parameters: a name is "a module's" only because a module on the class path says so, and a name
 * in a family that no module declares is reported as belonging to a module that may be missing.
 *
 * <p>Immutable and thread-safe.
 */
final class ModuleParameters {

    private static final String ROOT = "tollgate.";

    private final List<ParameterNames> modules;

    private ModuleParameters(List<ParameterNames> modules) {
        this.modules = modules;
    }

    /**
     * Loads every declaration visible to a class loader.
     *
     * @throws IllegalArgumentException if a declaration cannot be loaded or declares a name
     *     outside {@code tollgate.*}
     */
    static ModuleParameters load(ClassLoader loader) {
        List<ParameterNames> found = new ArrayList<>();
        try {
            for (ParameterNames p : ServiceLoader.load(ParameterNames.class, loader)) {
                for (String name : concat(p.names(), p.prefixes())) {
                    if (name == null || !name.startsWith(ROOT) || name.length() == ROOT.length()) {
                        throw new IllegalArgumentException("module " + p.module() + " (" + p.getClass().getName()
                                + ") declares the parameter \"" + name + "\", which is not a tollgate.* name");
                    }
                }
                found.add(p);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("cannot load the parameters declared by a Tollgate module"
                    + " (META-INF/services/" + ParameterNames.class.getName() + "): " + e.getMessage(), e);
        }
        return new ModuleParameters(List.copyOf(found));
    }

    /** {@return whether a module reads this name} */
    boolean accepts(String name) {
        for (ParameterNames p : modules) {
            if (p.names().contains(name)) {
                return true;
            }
            for (String prefix : p.prefixes()) {
                if (name.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The start-up error for names nobody reads: each name that looks like a module's parameter
     * gets a hint (which present module reads that family, or that its module may be missing),
     * then every accepted name is listed.
     *
     * @param unknown the names, sorted
     * @param core the core's own names
     */
    String unknownMessage(Set<String> unknown, Set<String> core) {
        Set<String> coreFamilies = new TreeSet<>();
        core.forEach(n -> coreFamilies.add(family(n)));
        StringBuilder sb = new StringBuilder("unknown Tollgate parameter(s) ").append(unknown);
        for (String name : unknown) {
            String family = family(name);
            if (coreFamilies.contains(family)) {
                continue; // a typo of the core's own names (listed below), or of a module's name there
            }
            ParameterNames owner = owner(family);
            if (owner != null) {
                sb.append("; ").append(name).append(" is not read by ").append(owner.module()).append(", which reads ")
                        .append(new TreeSet<>(concat(owner.names(), starred(owner.prefixes()))));
            } else {
                sb.append("; ").append(name).append(": no Tollgate module on the class path reads ").append(family)
                        .append("* parameters; is the module that does missing from the application (WEB-INF/lib)?");
            }
        }
        Set<String> known = new TreeSet<>(core);
        for (ParameterNames p : modules) {
            known.addAll(p.names());
            known.addAll(starred(p.prefixes()));
        }
        return sb.append("; known: ").append(known).toString();
    }

    /** The module that declares names in this family, if any. */
    private ParameterNames owner(String family) {
        for (ParameterNames p : modules) {
            for (String n : p.names()) {
                if (family(n).equals(family)) {
                    return p;
                }
            }
            for (String prefix : p.prefixes()) {
                if (family(prefix).equals(family) || family.startsWith(prefix)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The name up to and including its last dot: {@code tollgate.example.} for {@code tollgate.example.uri}. */
    private static String family(String name) {
        return name.substring(0, name.lastIndexOf('.') + 1);
    }

    private static List<String> starred(Set<String> prefixes) {
        return prefixes.stream().map(p -> p + "*").toList();
    }

    private static List<String> concat(java.util.Collection<String> a, java.util.Collection<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
