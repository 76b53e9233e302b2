package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/security.md} true: every test it names as the guard of a threat exists in the
 * repository (issue 9, item 10). A renamed or deleted test fails this one until the page is fixed.
 */
class SecurityDocTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern CITED = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT|Contract))(?:\\.([a-z][A-Za-z0-9]*))?`");
    private static final Pattern ELLIPSIS = Pattern.compile("`…?\\.?([a-z][A-Za-z0-9]*)`");

    @Test
    void everyTestTheSecurityPageNamesExists() throws IOException {
        Map<String, String> sources = testSources();
        String page = Files.readString(ROOT.resolve("docs/security.md"));
        List<String> missing = new ArrayList<>();
        int cited = 0;
        for (String line : page.lines().toList()) {
            if (!line.startsWith("|")) {
                continue;
            }
            String lastClass;
            Matcher m = CITED.matcher(line);
            while (m.find()) {
                // Bare method names after a class (`Class.a`, `b`) belong to that class.
                lastClass = check(sources, m.group(1), m.group(2), missing);
                cited++;
                Matcher bare = ELLIPSIS.matcher(line.substring(m.end(), nextClass(line, m.end())));
                while (bare.find()) {
                    check(sources, lastClass, bare.group(1), missing);
                    cited++;
                }
            }
        }
        assertTrue(cited > 40, "the page names its tests: " + cited);
        assertTrue(missing.isEmpty(), "docs/security.md names tests that do not exist: " + missing);
    }

    private static int nextClass(String line, int from) {
        Matcher m = CITED.matcher(line);
        return m.find(from) ? m.start() : line.length();
    }

    private static String check(Map<String, String> sources, String type, String method, List<String> missing) {
        String source = sources.get(type);
        if (source == null) {
            missing.add(type);
        } else if (method != null && !Pattern.compile("void " + method + "\\(").matcher(source).find()) {
            missing.add(type + "." + method);
        }
        return type;
    }

    private static Map<String, String> testSources() throws IOException {
        Map<String, String> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("src" + java.io.File.separator + "test"))
                    .filter(p -> !p.toString().contains(java.io.File.separator + "target" + java.io.File.separator))
                    .forEach(p -> {
                        try {
                            sources.put(p.getFileName().toString().replace(".java", ""), Files.readString(p));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        return sources;
    }
}
