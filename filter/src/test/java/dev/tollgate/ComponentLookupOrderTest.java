package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Rendering;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every SPI type is chosen in the same order (README "Component lookup"): an instance in
 * {@link TollgateConfig} wins over the servlet-context attribute, which wins over the class
 * parameter, over a CDI bean, over a {@code ServiceLoader} entry, over the default. Each row offers a
 * candidate at one step and at every later step, and checks that the first one is used; two
 * candidates at one step stop the start naming both.
 */
class ComponentLookupOrderTest {

    /** The steps, first wins. */
    enum Step { CONFIGURATION, ATTRIBUTE, PARAMETER, CDI, SERVICE_LOADER, DEFAULT }

    /** One implementation of every SPI type, so one class can stand at one step for any type. */
    public abstract static class Candidate implements Ledger, PayerResolver, DenialRenderer, RateLimitStore,
            RateLimitListener {
        /** {@return the step this candidate was offered at} A method: CDI hands out a client proxy. */
        public abstract Step step();

        @Override
        public Reservation reserve(Charge charge) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Settlement commit(Hold hold, RecordedResponse response) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Settlement release(Hold hold) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Account> account(String accountId) {
            return Optional.empty();
        }

        @Override
        public Optional<Payer> resolve(HttpServletRequest request) {
            return Optional.empty();
        }

        @Override
        public Rendering render(Denial denial, HttpServletRequest request) {
            return new ProblemDetailsRenderer().render(denial, request);
        }

        @Override
        public String name() {
            return "candidate at " + step();
        }

        @Override
        public ProxyManager<String> proxyManager() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    /** Named by a parameter; counts how often Tollgate closes it. */
    public static class Closeable extends ByParameter {
        static final java.util.concurrent.atomic.AtomicInteger CLOSED = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void close() {
            CLOSED.incrementAndGet();
        }
    }

    /** Offered as an instance (configuration and context attribute). */
    static final class Given extends Candidate {
        private final Step step;

        Given(Step step) {
            this.step = step;
        }

        @Override
        public Step step() {
            return step;
        }
    }

    /** Named by the type's class parameter. */
    public static class ByParameter extends Candidate {
        @Override
        public Step step() {
            return Step.PARAMETER;
        }
    }

    /** A CDI bean. */
    @ApplicationScoped
    public static class ByCdi extends Candidate {
        @Override
        public Step step() {
            return Step.CDI;
        }
    }

    /** A second CDI bean, to make the choice ambiguous. */
    @ApplicationScoped
    public static class OtherByCdi extends ByCdi {
    }

    /** A ServiceLoader entry. */
    public static class ByServiceLoader extends Candidate {
        @Override
        public Step step() {
            return Step.SERVICE_LOADER;
        }
    }

    /** A second ServiceLoader entry, to make the choice ambiguous. */
    public static class OtherByServiceLoader extends ByServiceLoader {
    }

    /** How one SPI type is offered at each step and how the running Tollgate shows the choice. */
    record SpiType(Class<?> type, String parameter, String attribute,
                   BiConsumer<TollgateConfig.Builder, Candidate> configure, Function<Tollgate, Object> inUse) {
        @Override
        public String toString() {
            return type.getSimpleName();
        }
    }

    static final List<SpiType> TYPES = List.of(
            new SpiType(Ledger.class, TollgateConfig.LEDGER, Tollgate.LEDGER_ATTRIBUTE,
                    TollgateConfig.Builder::ledger, Tollgate::ledger),
            new SpiType(PayerResolver.class, TollgateConfig.PAYER_RESOLVER, Tollgate.PAYER_RESOLVER_ATTRIBUTE,
                    TollgateConfig.Builder::payerResolver, Tollgate::payerResolver),
            new SpiType(DenialRenderer.class, TollgateConfig.RENDERER, Tollgate.RENDERER_ATTRIBUTE,
                    TollgateConfig.Builder::renderer, Tollgate::renderer),
            new SpiType(RateLimitStore.class, TollgateConfig.RATE_LIMIT_STORE, Tollgate.RATE_LIMIT_STORE_ATTRIBUTE,
                    TollgateConfig.Builder::rateLimitStore, t -> t.rateLimitStore().orElse(null)),
            new SpiType(RateLimitListener.class, TollgateConfig.RATE_LIMIT_LISTENER,
                    Tollgate.RATE_LIMIT_LISTENER_ATTRIBUTE, TollgateConfig.Builder::rateLimitListener,
                    Tollgate::rateLimitListener));

    static Stream<Arguments> rows() {
        List<Arguments> rows = new ArrayList<>();
        for (SpiType t : TYPES) {
            for (Step s : Step.values()) {
                rows.add(Arguments.of(t, s));
            }
        }
        return rows.stream();
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}: {1} wins over every later step")
    @MethodSource("rows")
    void theFirstStepWithACandidateWins(SpiType spi, Step first) throws Exception {
        List<Step> offered = Stream.of(Step.values()).filter(s -> s.compareTo(first) >= 0 && s != Step.DEFAULT)
                .toList();
        try (Started started = start(spi, offered, List.of(ByCdi.class), List.of(ByServiceLoader.class),
                false)) {
            Object inUse = spi.inUse().apply(started.tollgate());
            if (first == Step.DEFAULT) {
                assertTrue(!(inUse instanceof Candidate), spi + ": the default, not " + inUse);
                Object expected = switch (spi.type().getSimpleName()) {
                    case "Ledger" -> InMemoryLedger.class;
                    case "PayerResolver" -> HeaderPayerResolver.class;
                    case "DenialRenderer" -> ProblemDetailsRenderer.class;
                    default -> inUse == null ? null : inUse.getClass();
                };
                assertEquals(expected, inUse == null ? null : inUse.getClass(), spi + " default");
                if (spi.type() == RateLimitStore.class) {
                    assertEquals(null, inUse, "no store by default: buckets in this JVM");
                }
            } else {
                assertTrue(inUse instanceof Candidate, spi + ": " + inUse);
                assertEquals(first, ((Candidate) inUse).step(), spi + " offered at " + offered);
            }
        }
    }

    @ParameterizedTest(name = "{0}: two CDI beans stop the start naming both")
    @MethodSource("types")
    void twoBeansStopTheStartNamingBoth(SpiType spi) {
        // The beans implement every type: the other types are given in the configuration, so only this one asks CDI.
        Exception e = assertThrows(Exception.class, () -> start(spi, List.of(Step.CDI),
                List.of(ByCdi.class, OtherByCdi.class), List.of(), true).close());
        String message = rootMessage(e, "several CDI beans");
        assertTrue(message.contains("several CDI beans implement " + spi.type().getName())
                && message.contains(ByCdi.class.getName()) && message.contains(OtherByCdi.class.getName())
                && message.contains(spi.parameter()), message);
    }

    @ParameterizedTest(name = "{0}: two ServiceLoader entries stop the start naming both")
    @MethodSource("types")
    void twoServiceLoaderEntriesStopTheStartNamingBoth(SpiType spi) {
        Exception e = assertThrows(Exception.class, () -> start(spi, List.of(Step.SERVICE_LOADER), List.of(),
                List.of(ByServiceLoader.class, OtherByServiceLoader.class), false).close());
        String message = rootMessage(e, "several implementations");
        assertTrue(message.contains("several implementations of " + spi.type().getName() + " found through"
                + " ServiceLoader") && message.contains(ByServiceLoader.class.getName())
                && message.contains(OtherByServiceLoader.class.getName()) && message.contains(spi.parameter()),
                message);
    }

    @Test
    void anAttributeOfTheWrongTypeStopsTheStartNamingIt() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.RENDERER_ATTRIBUTE, "not a renderer").start().close());
        String message = rootMessage(e, "servlet-context attribute");
        assertTrue(message.contains(Tollgate.RENDERER_ATTRIBUTE) && message.contains("java.lang.String"), message);
    }

    @Test
    void whatTollgateCreatedIsClosedWhenItStopsOrFailsToStart() throws Exception {
        Closeable.CLOSED.set(0);
        TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.LEDGER, Closeable.class.getName()).start().close();
        assertEquals(1, Closeable.CLOSED.get(), "closed when the application stops");

        Closeable.CLOSED.set(0);
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.LEDGER, Closeable.class.getName())
                .initParam(TollgateConfig.RENDERER, "com.example.NoSuchRenderer").start().close());
        assertTrue(rootMessage(e, "class not found").contains(TollgateConfig.RENDERER), e::toString);
        assertEquals(1, Closeable.CLOSED.get(), "a start that fails after creating the ledger closes it");
    }

    static Stream<SpiType> types() {
        return TYPES.stream();
    }

    /** A running server and the CDI container it saw. */
    private record Started(TestServer server, WeldContainer weld) implements AutoCloseable {
        Tollgate tollgate() {
            return Tollgate.from(server.context().getServletContext()).orElseThrow();
        }

        @Override
        public void close() throws Exception {
            try {
                server.close();
            } finally {
                if (weld != null) {
                    weld.close();
                }
            }
        }
    }

    /**
     * Starts a server offering a candidate of one type at each of the given steps, and when
     * {@code othersConfigured}, one of every other type in the configuration.
     */
    private Started start(SpiType spi, List<Step> steps, List<Class<?>> beans, List<Class<?>> services,
                          boolean othersConfigured) throws Exception {
        ClassLoader app = getClass().getClassLoader();
        if (steps.contains(Step.SERVICE_LOADER)) {
            Path folder = Files.createDirectories(dir.resolve("META-INF/services"));
            StringBuilder lines = new StringBuilder();
            services.forEach(c -> lines.append(c.getName()).append('\n'));
            Files.writeString(folder.resolve(spi.type().getName()), lines);
            app = new URLClassLoader(new URL[] {dir.toUri().toURL()}, app);
        }
        WeldContainer weld = steps.contains(Step.CDI) ? new Weld().disableDiscovery()
                .addBeanClasses(beans.toArray(Class<?>[]::new))
                .property("org.jboss.weld.bootstrap.concurrentDeployment", false).initialize() : null;
        try {
            ClassLoader loader = app;
            TestServer.Builder b = TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*")
                    .customize(ctx -> ctx.setClassLoader(loader));
            if (steps.contains(Step.ATTRIBUTE)) {
                b.attribute(spi.attribute(), new Given(Step.ATTRIBUTE));
            }
            Map<String, String> parameters = steps.contains(Step.PARAMETER)
                    ? Map.of(spi.parameter(), ByParameter.class.getName()) : Map.of();
            if (steps.contains(Step.CONFIGURATION) || othersConfigured) {
                TollgateConfig.Builder config = TollgateConfig.builder().apply(parameters, loader);
                for (SpiType t : TYPES) {
                    if (t == spi ? steps.contains(Step.CONFIGURATION) : othersConfigured) {
                        t.configure().accept(config, new Given(Step.CONFIGURATION));
                    }
                }
                TollgateFilter filter = new TollgateFilter(config.build());
                b.withoutInitializer().customize(ctx -> {
                    ctx.setClassLoader(loader);
                    ctx.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
                });
            } else {
                parameters.forEach(b::initParam);
            }
            return new Started(b.start(), weld);
        } catch (Exception | Error e) {
            if (weld != null) {
                weld.close();
            }
            throw e;
        }
    }

    private static String rootMessage(Throwable e, String marker) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || !t.getMessage().contains(marker))) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
