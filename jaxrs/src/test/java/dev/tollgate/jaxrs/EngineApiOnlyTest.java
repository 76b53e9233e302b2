package dev.tollgate.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Jakarta REST adapter uses only Tollgate's public API (the engine API and public
 * {@code dev.tollgate} types), never {@code dev.tollgate.internal}: checked in its sources and in
 * its compiled classes, whose constant pools name every class they use (fully qualified uses
 * without an import included).
 */
class EngineApiOnlyTest {

    @Test
    void theAdapterNamesNoInternalType() throws Exception {
        Path classes = Path.of(TollgateFeature.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path sources = Path.of("src/main/java");
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        for (Path root : List.of(classes, sources)) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (!name.endsWith(".class") && !name.endsWith(".java")) {
                        continue;
                    }
                    scanned++;
                    // Class files are read as Latin-1 so every byte maps to one char.
                    String text = new String(Files.readAllBytes(f), name.endsWith(".class")
                            ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
                    if (text.contains("dev/tollgate/internal") || text.contains("dev.tollgate.internal")) {
                        offenders.add(root.relativize(f).toString());
                    }
                }
            }
        }
        assertTrue(scanned >= 8, "scanned only " + scanned + " files: is the scan looking in the right place?");
        assertEquals(List.of(), offenders, "files naming dev.tollgate.internal");
    }
}
