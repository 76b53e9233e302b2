package dev.tollgate.springboot;

import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.ledger.InMemoryLedger;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot 3 application as docs/containers.md shows it: Spring MVC controllers cannot carry
 * Tollgate's servlet annotations (they all run in the DispatcherServlet), so configured policies
 * price and limit them by path, and a {@link FilterRegistrationBean} registers the filter (an
 * embedded container does not run the initializer from the JAR).
 */
@SpringBootApplication(proxyBeanMethods = false)
public class DemoApplication {

    /**
     * The ledger: in memory for the demo; in production, a {@code PostgresLedger} (module
     * {@code tollgate-ledger-postgresql}) over the application's DataSource.
     */
    @Bean
    InMemoryLedger ledger() {
        return InMemoryLedger.builder()
                .account("demo-gold", Money.credits("1000"))
                .account("demo-silver", Money.credits("20"))
                .build();
    }

    /** Tollgate in front of everything, with the dispatcher types its own initializer uses. */
    @Bean
    FilterRegistrationBean<TollgateFilter> tollgate(InMemoryLedger ledger) {
        TollgateConfig config = TollgateConfig.builder()
                .ledger(ledger)
                .policy("quotes.paths", "/api/quotes/*")
                .policy("quotes.price", "1")
                .policy("quotes.description", "One stock quote")
                .policy("reports.paths", "/api/reports")
                .policy("reports.methods", "POST")
                .policy("reports.price", "10")
                .policy("search.paths", "/api/search")
                .policy("search.limit", "5/1m")
                .build();
        FilterRegistrationBean<TollgateFilter> registration = new FilterRegistrationBean<>(new TollgateFilter(config));
        registration.addUrlPatterns("/*");
        registration.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD,
                DispatcherType.INCLUDE, DispatcherType.ASYNC));
        return registration;
    }

    /** The demo API as Spring MVC controllers. */
    @RestController
    static class Api {
        private final AtomicLong ids = new AtomicLong(1000);

        @GetMapping("/api/hello")
        Map<String, String> hello() {
            return Map.of("message", "free");
        }

        @GetMapping("/api/quotes/{symbol}")
        Map<String, Object> quote(@PathVariable("symbol") String symbol,
                                  @RequestParam(name = "fail", defaultValue = "false") boolean fail) {
            if (fail) {
                throw new IllegalStateException("quote service failed");
            }
            return Map.of("symbol", symbol, "price", "101.50");
        }

        @PostMapping("/api/reports")
        ResponseEntity<Map<String, Object>> report(@RequestBody Map<String, Object> request) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", "r-" + ids.incrementAndGet());
            body.put("request", request);
            return ResponseEntity.status(201).body(body);
        }

        @GetMapping("/api/search")
        Map<String, Object> search(@RequestParam(name = "q", defaultValue = "") String q) {
            return Map.of("query", q, "results", List.of());
        }
    }
}
