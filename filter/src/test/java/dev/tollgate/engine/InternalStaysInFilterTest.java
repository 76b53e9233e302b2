package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The implementation package stays inside {@code filter/}: no other module of the project (the
 * adapters, ledgers, stores, samples, containers, benchmarks) names {@code dev.tollgate.internal} in
 * its main sources or resources, so each can be built on the public API (engine, SPI, configuration)
 * alone and the engine's steps can change without breaking them. Fully qualified uses are caught too:
 * the scan reads text, not imports. (The Jakarta REST module also checks its compiled classes, in
 * {@code EngineApiOnlyTest}; {@link PublicSignaturesTest} keeps internal types out of public
 * signatures.)
 */
class InternalStaysInFilterTest {

    /** Spelled in two halves so this file would not match itself were it ever scanned. */
    private static final List<String> NAMES = List.of("dev.tollgate." + "internal", "dev/tollgate/" + "internal");

    @Test
    void noModuleButTheFilterNamesTheInternalPackage() throws IOException {
        Path root = projectRoot();
        Set<String> modules = new TreeSet<>();
        List<String> offenders = new ArrayList<>();
        for (Path main : mainSourceTrees(root)) {
            Path module = main.getParent().getParent();
            if (module.equals(root.resolve("filter"))) {
                continue;
            }
            modules.add(root.relativize(module).toString().replace('\\', '/'));
            for (Path f : filesNamingInternal(main)) {
                offenders.add(root.relativize(f).toString());
            }
        }
        // A scan that finds nothing to scan proves nothing: these modules must have been read.
        for (String expected : List.of("annotations", "jaxrs", "ledger-postgresql", "ratelimit-postgresql",
                "ratelimit-redis", "sample-webapp", "benchmarks")) {
            assertTrue(modules.contains(expected), "module " + expected + " was not scanned; scanned " + modules);
        }
        offenders.sort(null);
        assertEquals(List.of(), offenders, "main sources outside filter/ naming the internal package (use the"
                + " engine API, the SPI or TollgateConfig instead)");
    }

    @Test
    void theScanFindsAnImportAFullyQualifiedUseAndAServiceEntry(@TempDir Path dir) throws IOException {
        Path java = Files.createDirectories(dir.resolve("java/x"));
        Files.writeString(java.resolve("A.java"), "package x;\nimport dev.tollgate." + "internal.Enforcer;\n");
        Files.writeString(java.resolve("B.java"), "package x;\nclass B { Object o = new dev.tollgate."
                + "internal.PolicyScanner(); }\n");
        Files.writeString(java.resolve("C.java"), "package x;\nimport dev.tollgate.engine.Engine;\n");
        Path services = Files.createDirectories(dir.resolve("resources/META-INF/services"));
        Files.writeString(services.resolve("dev.tollgate.spi.Ledger"), "dev.tollgate." + "internal.Whatever\n");
        List<String> found = filesNamingInternal(dir).stream().map(f -> f.getFileName().toString()).sorted().toList();
        assertEquals(List.of("A.java", "B.java", "dev.tollgate.spi.Ledger"), found);
    }

    /** The directory holding the parent POM: the filter module's parent (Surefire runs in the module). */
    private static Path projectRoot() throws IOException {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
        Path root = module.getParent();
        assertTrue(root != null && Files.isRegularFile(root.resolve("pom.xml"))
                && Files.readString(root.resolve("pom.xml")).contains("<module>filter</module>"),
                "not inside the Tollgate source tree: " + module);
        return root;
    }

    /** Every {@code src/main} below the root, build output and hidden directories aside. */
    private static List<Path> mainSourceTrees(Path root) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                String name = d.getFileName() == null ? "" : d.getFileName().toString();
                if (!d.equals(root) && (name.startsWith(".") || name.equals("target") || name.equals("node_modules"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (name.equals("main") && d.getParent() != null && d.getParent().getFileName() != null
                        && d.getParent().getFileName().toString().equals("src")) {
                    found.add(d);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    /** The files below {@code dir} whose text names the internal package, in a dotted or a path form. */
    private static List<Path> filesNamingInternal(Path dir) throws IOException {
        List<Path> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                // Latin-1 maps every byte to one char, so any file (resources included) can be read.
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (NAMES.stream().anyMatch(text::contains)) {
                    offenders.add(f);
                }
            }
        }
        return offenders;
    }
}
