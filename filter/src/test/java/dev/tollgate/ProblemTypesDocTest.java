package dev.tollgate;

import static dev.tollgate.testing.Problem.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testapp.PremiumServlet;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testapp.SearchServlet;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/problem-types.md} and the README's table true: every refusal the filter sends
 * carries only members the docs list for its type, and every type the code knows is in both tables
 * (issue 9, item 9).
 */
class ProblemTypesDocTest {

    private static final Set<String> COMMON = Set.of("type", "title", "status", "detail", "instance");
    private static final Path DOCS = Path.of("..", "docs", "problem-types.md");
    private static final Path README = Path.of("..", "README.md");

    private InMemoryLedger memory;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        memory = InMemoryLedger.builder()
                .account("gold", Money.credits("1000"), "premium")
                .account("poor", Money.credits("0"))
                .account("euro", Money.parse("10", "EUR"))
                .build();
        server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("premium", PremiumServlet.class, "/premium")
                .servlet("search", SearchServlet.class, "/search")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, memory)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void refusalTextSaysOneCreditNotOneCredits() throws Exception {
        HttpResponse<String> r = server.get("/quotes/ACME");
        assertEquals(402, r.statusCode());
        String detail = (String) json(r).get("detail");
        assertTrue(detail.startsWith("This endpoint costs 1 credit per call."), detail);

        HttpResponse<String> poor = server.get("/reports/7", "X-API-Key", "poor");
        assertEquals(402, poor.statusCode());
        assertEquals("This call costs 5 credits; the balance is 0 credits.", json(poor).get("detail"));
    }

    @Test
    void bodiesCarryOnlyDocumentedMembers() throws Exception {
        Map<String, Set<String>> documented = documentedMembers(Files.readString(DOCS));
        Map<String, HttpResponse<String>> seen = new LinkedHashMap<>();
        seen.put("payment-required", server.get("/quotes/ACME"));
        seen.put("payment-required (entitlement only)", server.get("/premium"));
        seen.put("insufficient-funds", server.get("/reports/7", "X-API-Key", "poor"));
        seen.put("entitlement-required", server.get("/premium", "X-API-Key", "poor"));
        seen.put("currency-mismatch", server.get("/quotes/ACME", "X-API-Key", "euro"));
        seen.put("invalid-credentials", server.get("/quotes/ACME", "X-API-Key", "a b"));
        seen.put("unknown-account", server.get("/quotes/ACME", "X-API-Key", "nobody"));
        seen.put("malformed-request", server.send("POST", "/reports", "{}", "X-API-Key", "gold",
                "Idempotency-Key", "x".repeat(300)));
        HttpResponse<String> limited = null;
        for (int i = 0; i < 6; i++) {
            limited = server.get("/search", "X-API-Key", "gold");
        }
        seen.put("quota-exceeded", limited);

        for (Map.Entry<String, HttpResponse<String>> e : seen.entrySet()) {
            Map<String, Object> body = json(e.getValue());
            String type = (String) body.get("type");
            String slug = type.substring(type.lastIndexOf(type.contains("#") ? '#' : '/') + 1);
            Set<String> allowed = documented.get(slug);
            assertNotNull(allowed, e.getKey() + ": type " + type + " is not in docs/problem-types.md");
            Set<String> extra = new LinkedHashSet<>(body.keySet());
            extra.removeAll(COMMON);
            extra.removeAll(allowed);
            assertTrue(extra.isEmpty(), e.getKey() + ": members " + extra + " are not documented for " + slug
                    + " (documented: " + allowed + ")");
        }
    }

    @Test
    void everyKindIsInBothTables() throws Exception {
        String docs = Files.readString(DOCS);
        String readme = Files.readString(README);
        for (Denial.Kind kind : Denial.Kind.values()) {
            String slug = kind == Denial.Kind.RATE_LIMITED ? "quota-exceeded" : kind.slug();
            assertTrue(docs.contains(slug + "`"), slug + " missing from docs/problem-types.md");
            assertTrue(readme.contains(slug + "`"), slug + " missing from the README's table");
            String row = docs.lines().filter(l -> l.startsWith("| `") && l.contains(slug + "`")).findFirst()
                    .orElseThrow();
            assertTrue(row.contains("| " + kind.status() + " |"), slug + ": the docs give another status: " + row);
        }
        assertTrue(!docs.contains("headers` is `false`") && !docs.contains("headers=false"),
                "tollgate.rateLimit.headers takes standard, legacy, both or none");
    }

    /** Reads the table: slug → the names in back-quotes of its "extension members" column. */
    private static Map<String, Set<String>> documentedMembers(String markdown) {
        Map<String, Set<String>> result = new LinkedHashMap<>();
        Pattern quoted = Pattern.compile("`([a-z-]+)`");
        for (String line : markdown.lines().toList()) {
            if (!line.startsWith("| `")) {
                continue;
            }
            List<String> cells = List.of(line.split("\\|", -1));
            String slugCell = cells.get(1).strip();
            String slug = slugCell.substring(slugCell.lastIndexOf(slugCell.contains("#") ? '#' : '`', slugCell.length() - 2) + 1,
                    slugCell.length() - 1);
            if (slug.startsWith("`")) {
                slug = slug.substring(1);
            }
            Set<String> members = new LinkedHashSet<>();
            Matcher m = quoted.matcher(cells.get(4));
            while (m.find()) {
                members.add(m.group(1));
            }
            result.put(slug, members);
        }
        return result;
    }
}
