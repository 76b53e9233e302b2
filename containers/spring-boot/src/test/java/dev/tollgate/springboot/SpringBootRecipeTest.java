package dev.tollgate.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.ledger.InMemoryLedger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

/** The Spring Boot 3 recipe of docs/containers.md, on Spring Boot's embedded Tomcat, over HTTP. */
class SpringBootRecipeTest {

    private static ServletWebServerApplicationContext app;
    private static InMemoryLedger ledger;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        app = (ServletWebServerApplicationContext) new SpringApplicationBuilder(DemoApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "logging.level.root=WARN")
                .run();
        ledger = app.getBean(InMemoryLedger.class);
        base = "http://127.0.0.1:" + app.getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Money balance(String account) {
        return ledger.account(account).orElseThrow().balance();
    }

    @Test
    void aControllerPricedByPathAnswers402ThenCharges() throws Exception {
        HttpResponse<String> refused = send("GET", "/api/quotes/ACME", null);
        assertEquals(402, refused.statusCode(), refused::body);
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
        assertTrue(refused.body().contains("https://tollgate.dev/problems/payment-required"), refused::body);
        Money before = balance("demo-gold");
        HttpResponse<String> paid = send("GET", "/api/quotes/ACME", null, "X-API-Key", "demo-gold");
        assertEquals(200, paid.statusCode(), paid::body);
        assertTrue(paid.body().contains("101.50"));
        assertEquals(before.minus(Money.credits("1")), balance("demo-gold"));
        assertEquals(200, send("GET", "/api/hello", null).statusCode(), "unconfigured paths stay free");
    }

    @Test
    void aFailingControllerIsNotCharged() throws Exception {
        Money before = balance("demo-gold");
        assertEquals(500, send("GET", "/api/quotes/ACME?fail=true", null, "X-API-Key", "demo-gold").statusCode());
        assertEquals(before, balance("demo-gold"));
        assertEquals(0, ledger.openHoldCount());
    }

    @Test
    void aRetriedPostIsReplayedNotCharged() throws Exception {
        Money before = balance("demo-gold");
        HttpResponse<String> first = send("POST", "/api/reports", "{\"title\":\"Q3\"}", "X-API-Key", "demo-gold",
                "Content-Type", "application/json", "Idempotency-Key", "spring-1");
        assertEquals(201, first.statusCode(), first::body);
        HttpResponse<String> retry = send("POST", "/api/reports", "{\"title\":\"Q3\"}", "X-API-Key", "demo-gold",
                "Content-Type", "application/json", "Idempotency-Key", "spring-1");
        assertEquals(201, retry.statusCode());
        assertEquals(first.body(), retry.body());
        assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(before.minus(Money.credits("10")), balance("demo-gold"));
    }

    @Test
    void theSixthSearchInAMinuteIs429() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = send("GET", "/api/search?q=A", null, "X-API-Key", "demo-silver");
            assertEquals(200, r.statusCode(), r::body);
            assertTrue(r.headers().firstValue("RateLimit").isPresent());
        }
        HttpResponse<String> refused = send("GET", "/api/search?q=A", null, "X-API-Key", "demo-silver");
        assertEquals(429, refused.statusCode());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
    }
}
