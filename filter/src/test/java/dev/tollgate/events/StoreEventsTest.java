package dev.tollgate.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Denial;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.annotations.StoreFailure;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.testapp.StoreFailureServlets;
import dev.tollgate.testing.TestServer;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/** A shared rate-limit store that fails: its call is timed and failed, its failure told once per request. */
class StoreEventsTest {

    /** A store that is down. */
    static final class DownStore implements RateLimitStore {
        @Override
        public String name() {
            return "down";
        }

        @Override
        public ProxyManager<String> proxyManager() {
            throw new IllegalStateException("connection refused (simulated)");
        }
    }

    @Test
    void aFailingStoreIsAFailedStoreCallAndAStoreFailureWithThePolicyApplied() throws Exception {
        List<TollgateEvent> events = new CopyOnWriteArrayList<>();
        TollgateConfig config = TollgateConfig.builder().ledger(InMemoryLedger.builder().build())
                .rateLimitStore(new DownStore()).eventListener(events::add).build();
        try (TestServer server = TestServer.builder()
                .servlet("open", StoreFailureServlets.Open.class, "/open")
                .servlet("closed", StoreFailureServlets.Closed.class, "/closed")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start()) {
            assertEquals(200, server.get("/open", "X-Client", "a").statusCode());
            List<Class<?>> kinds = new ArrayList<>();
            events.forEach(e -> kinds.add(e.getClass()));
            assertEquals(List.of(TollgateEvent.StoreCall.class, TollgateEvent.StoreFailed.class,
                    TollgateEvent.Passed.class), kinds);
            TollgateEvent.StoreCall call = (TollgateEvent.StoreCall) events.get(0);
            TollgateEvent.StoreFailed failed = (TollgateEvent.StoreFailed) events.get(1);
            assertTrue(call.failed());
            assertEquals("down", call.store());
            assertEquals(StoreFailure.OPEN, failed.applied());
            events.clear();

            // The store is now in back-off: no call, the failure policy at once (CLOSED: a 503 refusal).
            assertEquals(503, server.get("/closed", "X-Client", "a").statusCode());
            assertEquals(1, events.size(), events::toString);
            assertEquals(Denial.Kind.RATE_LIMITER_UNAVAILABLE, ((TollgateEvent.Refused) events.get(0)).kind());
        }
    }
}
