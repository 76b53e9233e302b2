package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the worked example of {@code docs/ledger-spi.md} compiled and tested: its code blocks are
 * the example's source file and a line of the test that runs it behind the filter, character for
 * character, so the page and the code cannot drift apart.
 */
class LedgerSpiDocTest {

    private static final Path ROOT = Path.of("..");
    private static final Path EXAMPLE = Path.of("src/test/java/dev/tollgate/ledger/example/CustomerAccountsBalances.java");
    private static final Path EXAMPLE_TEST =
            Path.of("src/test/java/dev/tollgate/ledger/example/CustomerAccountsContractTest.java");
    private static final Path KEYS_EXAMPLE = Path.of("src/test/java/dev/tollgate/ledger/example/CustomerKeys.java");
    private static final Path KEYS_TEST = Path.of("src/test/java/dev/tollgate/ledger/example/CustomerKeysTest.java");

    @Test
    void theWorkedExampleOnThePageIsTheCompiledFile() throws IOException {
        List<String> blocks = javaBlocks(Files.readString(ROOT.resolve("docs/ledger-spi.md")));
        String example = Files.readString(EXAMPLE);
        assertTrue(blocks.contains(example), "docs/ledger-spi.md must show " + EXAMPLE + " verbatim in a ```java block");
        assertTrue(example.lines().count() < 80, "the worked example stays under 80 lines: " + example.lines().count());
    }

    @Test
    void theWiringOnThePageIsTheTestedLine() throws IOException {
        List<String> blocks = javaBlocks(Files.readString(ROOT.resolve("docs/ledger-spi.md")));
        String wiring = blocks.stream().filter(b -> b.startsWith("Ledger ledger = BalanceLedger")).findFirst()
                .orElseThrow(() -> new AssertionError("the page shows how to build the ledger"));
        assertEquals(1, wiring.lines().count(), wiring);
        assertTrue(Files.readString(EXAMPLE_TEST).contains("        " + wiring.strip() + "\n"),
                "CustomerAccountsContractTest runs the page's line: " + wiring);
    }

    @Test
    void theHashedKeysExampleOnThePageIsTheCompiledFileAndItsWiringTheTestedLine() throws IOException {
        List<String> blocks = javaBlocks(Files.readString(ROOT.resolve("docs/ledger-spi.md")));
        String example = Files.readString(KEYS_EXAMPLE);
        assertTrue(blocks.contains(example), "docs/ledger-spi.md must show " + KEYS_EXAMPLE + " verbatim");
        assertTrue(example.lines().count() < 80, "the key example stays under 80 lines: " + example.lines().count());
        String wiring = blocks.stream().filter(b -> b.startsWith("Ledger ledger = BalanceLedger")
                && b.contains(".keyLookup(")).findFirst()
                .orElseThrow(() -> new AssertionError("the page shows how to give a BalanceLedger its keys"));
        assertEquals(1, wiring.lines().count(), wiring);
        assertTrue(Files.readString(KEYS_TEST).contains("        " + wiring.strip() + "\n"),
                "CustomerKeysTest runs the page's line: " + wiring);
    }

    /** The bodies of the page's fenced {@code java} blocks. */
    private static List<String> javaBlocks(String page) {
        List<String> blocks = new ArrayList<>();
        StringBuilder current = null;
        for (String line : page.split("\n", -1)) {
            if (current == null && line.equals("```java")) {
                current = new StringBuilder();
            } else if (current != null && line.equals("```")) {
                blocks.add(current.toString());
                current = null;
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        return blocks;
    }
}
