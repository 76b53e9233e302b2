package dev.tollgate.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateListener;
import dev.tollgate.testapp.LimitFeatureServlets;
import dev.tollgate.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Event listeners are found in the one lookup order, each step giving several: the context
 * attribute (a listener or a collection), the {@code tollgate.events.listeners} classes.
 */
class EventListenerLookupTest {

    /** Named by the parameter; records what it hears. */
    public static class First implements TollgateListener {
        static final List<TollgateEvent> HEARD = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(TollgateEvent event) {
            HEARD.add(event);
        }
    }

    /** Named by the parameter, with the parameters given to its constructor. */
    public static class Second implements TollgateListener {
        static final List<TollgateEvent> HEARD = new CopyOnWriteArrayList<>();
        final Map<String, String> parameters;

        public Second(Map<String, String> parameters) {
            this.parameters = parameters;
        }

        @Override
        public void onEvent(TollgateEvent event) {
            HEARD.add(event);
        }
    }

    private static TestServer.Builder app() {
        return TestServer.builder().servlet("limited", LimitFeatureServlets.ByAddress.class, "/limited");
    }

    @Test
    void aCollectionInTheContextAttributeGivesEveryListenerInIt() throws Exception {
        List<TollgateEvent> a = new CopyOnWriteArrayList<>();
        List<TollgateEvent> b = new CopyOnWriteArrayList<>();
        TollgateListener la = a::add;
        TollgateListener lb = b::add;
        try (TestServer server = app().attribute(Tollgate.EVENT_LISTENERS_ATTRIBUTE, List.of(la, lb)).start()) {
            assertEquals(200, server.get("/limited").statusCode());
            Tollgate tollgate = Tollgate.from(server.context().getServletContext()).orElseThrow();
            assertEquals(List.of(la, lb), tollgate.eventListeners());
        }
        assertEquals(1, a.size());
        assertEquals(a, b);
        assertTrue(a.get(0) instanceof TollgateEvent.Passed);
    }

    @Test
    void theParameterNamesSeveralClasses() throws Exception {
        First.HEARD.clear();
        Second.HEARD.clear();
        try (TestServer server = app().initParam(TollgateConfig.EVENT_LISTENERS,
                First.class.getName() + ", " + Second.class.getName()).start()) {
            assertEquals(200, server.get("/limited").statusCode());
            Tollgate tollgate = Tollgate.from(server.context().getServletContext()).orElseThrow();
            assertEquals(2, tollgate.eventListeners().size());
            assertTrue(((Second) tollgate.eventListeners().get(1)).parameters.containsKey(TollgateConfig.EVENT_LISTENERS));
        }
        assertEquals(1, First.HEARD.size());
        assertEquals(1, Second.HEARD.size());
    }

    @Test
    void anAttributeOfAnotherTypeStopsTheStartNamingIt() {
        Exception e = assertThrows(Exception.class, () -> app().attribute(Tollgate.EVENT_LISTENERS_ATTRIBUTE,
                List.of("not a listener")).start().close());
        Throwable t = e;
        while (t.getCause() != null && !t.getMessage().contains(Tollgate.EVENT_LISTENERS_ATTRIBUTE)) {
            t = t.getCause();
        }
        assertTrue(String.valueOf(t.getMessage()).contains(Tollgate.EVENT_LISTENERS_ATTRIBUTE), e::toString);
    }

    @Test
    void anEmptyClassNameIsRefusedNamingTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of(TollgateConfig.EVENT_LISTENERS, "a.B,,c.D")));
        assertTrue(e.getMessage().contains(TollgateConfig.EVENT_LISTENERS), e.getMessage());
    }
}
