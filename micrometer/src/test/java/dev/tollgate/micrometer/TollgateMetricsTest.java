package dev.tollgate.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.testapp.LimitFeatureServlets;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * The meters after a known sequence of requests against an embedded Jetty, read from a Prometheus
 * registry's scrape as an operator would: each counter is exactly what happened.
 */
class TollgateMetricsTest {

    private static TestServer server(TollgateConfig config) throws Exception {
        return TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("limited", LimitFeatureServlets.ByAddress.class, "/limited")
                .servlet("shadow", LimitFeatureServlets.Shadow.class, "/shadow")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    /** The sum of a Prometheus sample over the series whose labels include all of {@code labels}. */
    static double sample(String scrape, String name, Map<String, String> labels) {
        double sum = 0;
        boolean found = false;
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String series = line.substring(0, line.lastIndexOf(' '));
            if (labels.entrySet().stream().allMatch(e -> series.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertTrue(found || labels.isEmpty(), () -> name + labels + " not in\n" + scrape);
        return sum;
    }

    @Test
    void aKnownSequenceOfRequestsGivesExactlyTheseCounts() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TollgateMetrics metrics = new TollgateMetrics(prometheus);
        InMemoryLedger ledger = InMemoryLedger.builder().account("payer", Money.credits("100"))
                .account("poor", Money.credits("1")).build();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).eventListener(metrics).build();
        try (TestServer server = server(config)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, server.get("/reports/a", "X-API-Key", "payer").statusCode());      // charged 5
            }
            assertEquals(500, server.get("/reports/a?status=500", "X-API-Key", "payer").statusCode()); // released
            assertEquals(500, server.get("/reports/a?fail=true", "X-API-Key", "payer").statusCode());  // released
            assertEquals(402, server.get("/reports/a").statusCode());                                  // refused
            assertEquals(402, server.get("/reports/a", "X-API-Key", "poor").statusCode());             // refused
            String[] idem = {"X-API-Key", "payer", "Idempotency-Key", "metrics-1"};
            assertEquals(201, server.send("POST", "/reports/x", "{}", idem).statusCode());             // charged 10
            assertEquals(201, server.send("POST", "/reports/x", "{}", idem).statusCode());             // replayed
            for (int i = 0; i < 3; i++) {
                server.get("/limited");                                                               // 2 passed, 1 limited
            }
            for (int i = 0; i < 3; i++) {
                server.get("/shadow");                                                                // 3 passed, 1 shadow
            }
        }
        String scrape = prometheus.scrape();
        assertEquals(4, sample(scrape, "tollgate_requests_total", Map.of("outcome", "charged")));
        assertEquals(4, sample(scrape, "tollgate_requests_total", Map.of("outcome", "charged", "endpoint", "reports",
                "scheme", "account")), "3 GETs and 1 POST on one endpoint");
        assertEquals(2, sample(scrape, "tollgate_requests_total", Map.of("outcome", "released")));
        assertEquals(2, sample(scrape, "tollgate_requests_total", Map.of("outcome", "refused")));
        assertEquals(1, sample(scrape, "tollgate_requests_total", Map.of("outcome", "refused",
                "problem_type", "insufficient-funds")));
        assertEquals(1, sample(scrape, "tollgate_requests_total", Map.of("outcome", "refused",
                "problem_type", "payment-required")));
        assertEquals(1, sample(scrape, "tollgate_requests_total", Map.of("outcome", "limited")));
        assertEquals(5, sample(scrape, "tollgate_requests_total", Map.of("outcome", "passed")));
        assertEquals(1, sample(scrape, "tollgate_requests_total", Map.of("outcome", "replayed")));
        assertEquals(25, sample(scrape, "tollgate_charged_total", Map.of("currency", "credits")));
        assertEquals(new BigDecimal("25"), metrics.charged("credits").stripTrailingZeros());
        assertEquals(1, sample(scrape, "tollgate_releases_total", Map.of("reason", "not_billable")));
        assertEquals(1, sample(scrape, "tollgate_releases_total", Map.of("reason", "failed")));
        assertEquals(6, sample(scrape, "tollgate_admitted_total", Map.of()));
        assertEquals(0, sample(scrape, "tollgate_holds_open", Map.of()));
        assertEquals(1, sample(scrape, "tollgate_shadow_limited_total", Map.of("endpoint", "shadow")));
        // reserve: 3 + 2 + poor + POST + its replay; commit: 3 GETs + POST; release: 2
        assertEquals(8, sample(scrape, "tollgate_ledger_calls_seconds_count", Map.of("operation", "reserve")));
        assertEquals(4, sample(scrape, "tollgate_ledger_calls_seconds_count", Map.of("operation", "commit")));
        assertEquals(2, sample(scrape, "tollgate_ledger_calls_seconds_count", Map.of("operation", "release")));
        assertEquals(Money.credits("75"), ledger.account("payer").orElseThrow().balance(), "what the meters say");
        assertTrue(!scrape.contains("payer") && !scrape.contains("poor"), "no account id in any tag");
    }

    @Test
    void amountsAreSummedExactlyNotAsDoubles() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TollgateMetrics metrics = new TollgateMetrics(registry);
        for (int i = 0; i < 10; i++) {
            metrics.onEvent(new TollgateEvent.Admitted(Instant.EPOCH, "e", "GET", "account", "a", Money.credits("0.1"),
                    "h" + i));
            metrics.onEvent(new TollgateEvent.Charged(Instant.EPOCH, "e", "GET", "account", "a", Money.credits("0.1"),
                    "h" + i));
        }
        assertEquals(new BigDecimal("1.0"), metrics.charged("credits"));
        // Ten additions of the double 0.1 give 0.9999999999999999; the exact sum shows as 1.0.
        assertEquals(1.0, registry.get(TollgateMetrics.CHARGED).functionCounter().count());
        assertEquals(0, metrics.openHolds());
    }

    @Test
    void eachPaidCallIsAnObservationFromHoldToSettlement() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
            @Override
            public void onStart(Observation.Context context) {
                seen.add("start " + context.getName());
            }

            @Override
            public void onStop(Observation.Context context) {
                seen.add("stop " + context.getName() + " " + context.getLowCardinalityKeyValue("outcome").getValue()
                        + " " + context.getLowCardinalityKeyValue("endpoint").getValue());
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        InMemoryLedger ledger = InMemoryLedger.builder().account("payer", Money.credits("100")).build();
        TollgateMetrics metrics = new TollgateMetrics(new SimpleMeterRegistry(), observations);
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).eventListener(metrics).build();
        try (TestServer server = server(config)) {
            assertEquals(200, server.get("/reports/a", "X-API-Key", "payer").statusCode());
            assertEquals(500, server.get("/reports/a?status=500", "X-API-Key", "payer").statusCode());
        }
        assertEquals(List.of("start tollgate.paid.call", "stop tollgate.paid.call charged reports",
                "start tollgate.paid.call", "stop tollgate.paid.call released reports"), seen);
    }
}
