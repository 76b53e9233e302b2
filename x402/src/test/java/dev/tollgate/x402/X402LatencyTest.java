package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.Tollgate;
import dev.tollgate.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Measures what the x402 path adds to a paid call, over the stub facilitator's own time, in one run:
 * the same servlet answer unpaid (baseline) and paid with x402 (verify and settle on the stub). The
 * figures are printed and written to {@code target/x402-latency.txt}; nothing is asserted about time
 * (this machine is shared), only that every call was paid once.
 */
class X402LatencyTest {

    private static final int WARM_UP = 300;
    private static final int CALLS = 500;

    @Test
    void addedLatencyOverTheFacilitatorsOwnTime() throws Exception {
        try (StubFacilitator facilitator = new StubFacilitator();
             TestServer server = TestServer.builder()
                     .servlet("forecast", TestServlets.Forecast.class, "/forecast")
                     .servlet("plain", TestServlets.Plain.class, "/plain")
                     .attribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, X402Scheme.builder().facilitator(facilitator.url())
                             .payTo(Payments.PAY_TO).clock(Clock.systemUTC()).build())
                     .start()) {
            for (int i = 0; i < WARM_UP; i++) {
                assertEquals(200, server.get("/plain").statusCode());
                assertEquals(200, server.get("/forecast", "PAYMENT-SIGNATURE",
                        Payments.v2("10000", java.time.Instant.now())).statusCode());
            }
            long plain = 0;
            long paid = 0;
            long facilitatorBefore = facilitator.handlerNanos.get();
            int settlesBefore = facilitator.settles.get();
            for (int i = 0; i < CALLS; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, server.get("/plain").statusCode());
                long t1 = System.nanoTime();
                String header = Payments.v2("10000", java.time.Instant.now());
                long t2 = System.nanoTime();
                assertEquals(200, server.get("/forecast", "PAYMENT-SIGNATURE", header).statusCode());
                long t3 = System.nanoTime();
                plain += t1 - t0;
                paid += t3 - t2;
            }
            long facilitatorNanos = facilitator.handlerNanos.get() - facilitatorBefore;
            assertEquals(CALLS, facilitator.settles.get() - settlesBefore);
            double plainUs = plain / 1e3 / CALLS;
            double paidUs = paid / 1e3 / CALLS;
            double facilitatorUs = facilitatorNanos / 1e3 / CALLS;
            String report = String.format(Locale.ROOT, "x402 latency, %d calls after %d warm-up:%n"
                            + "  unpaid call (same answer, no Tollgate policy): %.0f us%n"
                            + "  x402-paid call, client view: %.0f us%n"
                            + "  stub facilitator's own time per call (verify + settle handlers): %.0f us%n"
                            + "  added by the x402 path over the facilitator's own time and the unpaid call: %.0f us%n",
                    CALLS, WARM_UP, plainUs, paidUs, facilitatorUs, paidUs - facilitatorUs - plainUs);
            System.out.print(report);
            Files.writeString(Path.of("target", "x402-latency.txt"), report, StandardCharsets.UTF_8);
        }
    }
}
