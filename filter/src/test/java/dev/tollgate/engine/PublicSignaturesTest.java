package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Tollgate;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No public signature exposes an implementation type: every public or protected member of every
 * public class in Tollgate's API packages is checked (return, parameter, exception, field, super
 * and bound types, generics included) for a {@code dev.tollgate.internal} type.
 */
class PublicSignaturesTest {

    private static final List<String> API_PACKAGES = List.of("dev.tollgate", "dev.tollgate.spi",
            "dev.tollgate.spi.payment", "dev.tollgate.spi.events", "dev.tollgate.engine", "dev.tollgate.ledger");

    @Test
    void noPublicSignatureMentionsAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        int classes = 0;
        for (String pkg : API_PACKAGES) {
            for (Class<?> c : classesIn(pkg)) {
                if (!Modifier.isPublic(c.getModifiers()) || !isVisible(c)) {
                    continue;
                }
                classes++;
                check(c.getName() + " extends", c.getGenericSuperclass(), leaks);
                for (Type t : c.getGenericInterfaces()) {
                    check(c.getName() + " implements", t, leaks);
                }
                for (TypeVariable<?> v : c.getTypeParameters()) {
                    checkAll(c.getName() + "<" + v.getName() + ">", v.getBounds(), leaks);
                }
                for (Field f : c.getDeclaredFields()) {
                    if (exposed(f.getModifiers())) {
                        check(c.getName() + "." + f.getName(), f.getGenericType(), leaks);
                    }
                }
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (exposed(k.getModifiers())) {
                        String where = c.getName() + ".<init>";
                        checkAll(where, k.getGenericParameterTypes(), leaks);
                        checkAll(where, k.getGenericExceptionTypes(), leaks);
                    }
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (exposed(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                        String where = c.getName() + "." + m.getName();
                        check(where, m.getGenericReturnType(), leaks);
                        checkAll(where, m.getGenericParameterTypes(), leaks);
                        checkAll(where, m.getGenericExceptionTypes(), leaks);
                        for (TypeVariable<?> v : m.getTypeParameters()) {
                            checkAll(where + "<" + v.getName() + ">", v.getBounds(), leaks);
                        }
                    }
                }
            }
        }
        assertTrue(classes > 30, "found only " + classes + " public API classes: is the class path scan broken?");
        assertEquals(List.of(), leaks, "public signatures exposing internal types");
    }

    /** A nested class is part of the API only if every enclosing class is public too. */
    private static boolean isVisible(Class<?> c) {
        for (Class<?> e = c; e != null; e = e.getEnclosingClass()) {
            if (!Modifier.isPublic(e.getModifiers()) && !(e.getEnclosingClass() != null
                    && e.getEnclosingClass().isInterface())) {
                return false;
            }
        }
        return true;
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void checkAll(String where, Type[] types, List<String> leaks) {
        for (Type t : types) {
            check(where, t, leaks);
        }
    }

    private static void check(String where, Type type, List<String> leaks) {
        if (type == null) {
            return;
        }
        if (type instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.getName().startsWith("dev.tollgate.internal.")) {
                leaks.add(where + ": " + c.getName());
            }
        } else if (type instanceof ParameterizedType p) {
            check(where, p.getRawType(), leaks);
            checkAll(where, p.getActualTypeArguments(), leaks);
        } else if (type instanceof GenericArrayType a) {
            check(where, a.getGenericComponentType(), leaks);
        } else if (type instanceof WildcardType w) {
            checkAll(where, w.getUpperBounds(), leaks);
            checkAll(where, w.getLowerBounds(), leaks);
        }
        // Type variables are checked where they are declared.
    }

    /** The classes of one package in the directory (or JAR-less build output) holding Tollgate's classes. */
    private static List<Class<?>> classesIn(String pkg) throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(Tollgate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve(pkg.replace('.', '/'));
        List<Class<?>> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".class") && !name.equals("package-info.class") && !name.equals("module-info.class")) {
                    found.add(Class.forName(pkg + "." + name.substring(0, name.length() - ".class".length()), false,
                            PublicSignaturesTest.class.getClassLoader()));
                }
            }
        }
        return found;
    }
}
