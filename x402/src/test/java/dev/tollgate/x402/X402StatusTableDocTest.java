package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Denial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The status table of {@code docs/x402.md} against the code: every problem type it names exists and
 * has the status the table gives, and every row that X402FlowTest pins is there.
 */
class X402StatusTableDocTest {

    @Test
    void everyProblemTypeInTheTableHasTheStatusItGives() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "x402.md"));
        String table = doc.substring(doc.indexOf("### Status table"), doc.indexOf("## Settlement timing"));
        int rows = 0;
        for (String line : table.lines().toList()) {
            if (!line.startsWith("| ") || line.startsWith("| situation")) {
                continue;
            }
            String[] cells = line.split("\\|");
            rows++;
            String type = cells[3].strip();
            if (type.equals("—")) {
                continue;
            }
            String slug = type.replace("`", "");
            Denial.Kind kind = null;
            for (Denial.Kind k : Denial.Kind.values()) {
                if (k.slug().equals(slug)) {
                    kind = k;
                }
            }
            assertNotNull(kind, "docs/x402.md names an unknown problem type: " + slug);
            assertEquals(String.valueOf(kind.status()), cells[2].strip(), line);
        }
        assertTrue(rows >= 18, "rows read: " + rows);
        for (String situation : List.of("no payment header", "malformed header", "payment already used",
                "facilitator: invalid", "facilitator: 5xx", "settlement declined", "still pending",
                "same payment identifier, another payload")) {
            assertTrue(table.contains(situation), situation);
        }
    }
}
