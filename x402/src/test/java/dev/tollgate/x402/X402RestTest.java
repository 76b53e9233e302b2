package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Tollgate;
import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.jaxrs.TollgateFeature;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.TestServer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The x402 scheme on a Jakarta REST resource (Jersey, through {@link TollgateFeature}), over real HTTP. */
class X402RestTest {

    static final AtomicInteger RUNS = new AtomicInteger();

    /** x402 only, 0.01 USDC; {@code ?fail=true} throws. */
    @Path("forecast")
    public static class ForecastResource {
        @GET
        @Produces(MediaType.APPLICATION_JSON)
        @RequiresPayment(price = "0.01", currency = "USDC", description = "A forecast", schemes = "x402")
        public String forecast(@QueryParam("fail") boolean fail) {
            RUNS.incrementAndGet();
            if (fail) {
                throw new IllegalStateException("failed on purpose");
            }
            return "{\"outlook\":\"sunny\"}";
        }
    }

    /** The application. */
    public static class App extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(TollgateFeature.class, ForecastResource.class);
        }
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    private StubFacilitator facilitator;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        RUNS.set(0);
        facilitator = new StubFacilitator();
        server = TestServer.builder()
                .attribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, X402Scheme.builder().facilitator(facilitator.url())
                        .payTo(Payments.PAY_TO).clock(clock).build())
                .customize(c -> {
                    ServletHolder rest = new ServletHolder("rest", ServletContainer.class);
                    rest.setInitParameter("jakarta.ws.rs.Application", App.class.getName());
                    rest.setInitOrder(1);
                    c.addServlet(rest, "/rest/*");
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        facilitator.close();
    }

    @Test
    void aResourceOffersX402AndIsPaidOnce() throws Exception {
        HttpResponse<String> offer = server.get("/rest/forecast");
        assertEquals(402, offer.statusCode());
        assertEquals("10000", Payments.decode(offer.headers().firstValue("PAYMENT-REQUIRED").orElseThrow())
                .getJsonArray("accepts").getJsonObject(0).getString("amount"));
        assertTrue(offer.body().contains("\"maxAmountRequired\":\"10000\""), offer.body());

        String header = Payments.v2("10000", clock.instant());
        HttpResponse<String> paid = server.get("/rest/forecast", "PAYMENT-SIGNATURE", header);
        assertEquals(200, paid.statusCode(), paid.body());
        assertEquals("{\"outlook\":\"sunny\"}", paid.body());
        assertTrue(Payments.decode(paid.headers().firstValue("PAYMENT-RESPONSE").orElseThrow()).getBoolean("success"));
        assertEquals(1, facilitator.settles.get());

        assertEquals(402, server.get("/rest/forecast", "PAYMENT-SIGNATURE", header).statusCode());
        assertEquals(1, facilitator.settles.get());
        assertEquals(1, RUNS.get());
    }

    @Test
    void aFailingResourceSettlesNothing() throws Exception {
        String header = Payments.v2("10000", clock.instant());
        HttpResponse<String> r = server.get("/rest/forecast?fail=true", "PAYMENT-SIGNATURE", header);
        assertEquals(500, r.statusCode());
        assertFalse(r.headers().firstValue("PAYMENT-RESPONSE").isPresent());
        assertEquals(0, facilitator.settles.get());
        assertEquals(400, server.get("/rest/forecast", "PAYMENT-SIGNATURE", "%%%").statusCode());
        assertEquals(200, server.get("/rest/forecast", "PAYMENT-SIGNATURE", header).statusCode(),
                "the payment was released");
        assertEquals(1, facilitator.settles.get());
    }
}
