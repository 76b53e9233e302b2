package dev.tollgate.benchmarks.peer;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The peer of the HTTP benchmark: {@code GET /api/hello} answers the JSON the sample WAR's free
 * endpoint answers, on Spring Boot's embedded Tomcat. With {@code bucket4j.enabled=true} (the
 * default in {@code application.properties}) bucket4j-spring-boot-starter limits it per client
 * address with a limit that is never reached; {@code --bucket4j.enabled=false} serves the same
 * endpoint unlimited. Started by {@code benchmarks/http-load.sh}.
 */
@SpringBootApplication
@EnableCaching
@RestController
public class PeerApplication {

    /** The body the sample's {@code HelloServlet} writes. */
    private static final Map<String, String> HELLO = Map.of("message", "Hello from Tollgate. This endpoint is free.");

    /**
     * {@return the greeting}
     */
    @GetMapping(path = "/api/hello", produces = "application/json")
    public Map<String, String> hello() {
        return HELLO;
    }

    /**
     * Starts the peer.
     *
     * @param args Spring Boot arguments, such as {@code --server.port=18184 --bucket4j.enabled=false}
     */
    public static void main(String[] args) {
        SpringApplication.run(PeerApplication.class, args);
    }
}
