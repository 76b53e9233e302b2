package dev.tollgate;

import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.spi.RateLimitStore;
import java.util.Set;

/**
 * Which extension points Tollgate uses: each given as an instance (in code) or as a class name (a
 * parameter). Both are only candidates: {@link ComponentLookup} picks one per type in the one order
 * documented in {@link dev.tollgate.spi}. Every value may be {@code null} (not given).
 *
 * <table>
 *   <caption>Component parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #LEDGER}</td><td>discovered</td><td>the class name of the {@link Ledger}; see
 *       {@link dev.tollgate.spi} for discovery</td></tr>
 *   <tr><td>{@value #ACCOUNTS}</td><td>none</td><td>a properties resource that seeds the in-memory
 *       ledger ({@code /WEB-INF/accounts.properties} from the web application, or
 *       {@code classpath:accounts.properties}); see {@link dev.tollgate.ledger.InMemoryLedger#load}</td></tr>
 *   <tr><td>{@value #PAYER_RESOLVER}</td><td>{@link HeaderPayerResolver}</td><td>the class name of the
 *       {@link PayerResolver}</td></tr>
 *   <tr><td>{@value #RENDERER}</td><td>{@link ProblemDetailsRenderer}</td><td>the class name of the
 *       {@link DenialRenderer}</td></tr>
 *   <tr><td>{@value #RATE_LIMIT_STORE}</td><td>none (local)</td><td>the class name of a
 *       {@link RateLimitStore} that shares buckets between nodes</td></tr>
 *   <tr><td>{@value #RATE_LIMIT_LISTENER}</td><td>none</td><td>the class name of a
 *       {@link RateLimitListener}</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe (the instances are the caller's).
 *
 * @param ledger the ledger given in code
 * @param ledgerClass the ledger class name
 * @param accountsResource the resource that seeds the in-memory ledger
 * @param payerResolver the payer resolver given in code
 * @param payerResolverClass the payer resolver class name
 * @param renderer the denial renderer given in code
 * @param rendererClass the denial renderer class name
 * @param rateLimitStore the rate-limit store given in code
 * @param rateLimitStoreClass the rate-limit store class name
 * @param rateLimitListener the rate-limit listener given in code
 * @param rateLimitListenerClass the rate-limit listener class name
 */
public record ComponentSettings(Ledger ledger, String ledgerClass, String accountsResource,
        PayerResolver payerResolver, String payerResolverClass, DenialRenderer renderer, String rendererClass,
        RateLimitStore rateLimitStore, String rateLimitStoreClass, RateLimitListener rateLimitListener,
        String rateLimitListenerClass) {

    /** Parameter: the ledger class. */
    public static final String LEDGER = "tollgate.ledger";
    /** Parameter: the accounts resource of the in-memory ledger. */
    public static final String ACCOUNTS = "tollgate.ledger.accounts";
    /** Parameter: the payer resolver class. */
    public static final String PAYER_RESOLVER = "tollgate.payerResolver";
    /** Parameter: the denial renderer class. */
    public static final String RENDERER = "tollgate.renderer";
    /** Parameter: the rate-limit store class. */
    public static final String RATE_LIMIT_STORE = "tollgate.rateLimit.store";
    /** Parameter: the rate-limit listener class. */
    public static final String RATE_LIMIT_LISTENER = "tollgate.rateLimit.listener";

    static final Set<String> NAMES = Set.of(LEDGER, ACCOUNTS, PAYER_RESOLVER, RENDERER, RATE_LIMIT_STORE,
            RATE_LIMIT_LISTENER);
    static final ComponentSettings DEFAULTS = new ComponentSettings(null, null, null, null, null, null, null, null,
            null, null, null);

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param ledger the ledger given in code
     * @param ledgerClass the ledger class name
     * @param accountsResource the resource that seeds the in-memory ledger
     * @param payerResolver the payer resolver given in code
     * @param payerResolverClass the payer resolver class name
     * @param renderer the denial renderer given in code
     * @param rendererClass the denial renderer class name
     * @param rateLimitStore the rate-limit store given in code
     * @param rateLimitStoreClass the rate-limit store class name
     * @param rateLimitListener the rate-limit listener given in code
     * @param rateLimitListenerClass the rate-limit listener class name
     * @throws IllegalArgumentException if a class or resource name is empty; the message names the
     *     parameter and the value
     */
    public ComponentSettings {
        nonEmpty(LEDGER, ledgerClass);
        nonEmpty(ACCOUNTS, accountsResource);
        nonEmpty(PAYER_RESOLVER, payerResolverClass);
        nonEmpty(RENDERER, rendererClass);
        nonEmpty(RATE_LIMIT_STORE, rateLimitStoreClass);
        nonEmpty(RATE_LIMIT_LISTENER, rateLimitListenerClass);
    }

    ComponentSettings withLedger(Ledger ledger) {
        return new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver, payerResolverClass,
                renderer, rendererClass, rateLimitStore, rateLimitStoreClass, rateLimitListener,
                rateLimitListenerClass);
    }

    ComponentSettings withPayerResolver(PayerResolver resolver) {
        return new ComponentSettings(ledger, ledgerClass, accountsResource, resolver, payerResolverClass,
                renderer, rendererClass, rateLimitStore, rateLimitStoreClass, rateLimitListener,
                rateLimitListenerClass);
    }

    ComponentSettings withRenderer(DenialRenderer renderer) {
        return new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver, payerResolverClass,
                renderer, rendererClass, rateLimitStore, rateLimitStoreClass, rateLimitListener,
                rateLimitListenerClass);
    }

    ComponentSettings withRateLimitStore(RateLimitStore store) {
        return new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver, payerResolverClass,
                renderer, rendererClass, store, rateLimitStoreClass, rateLimitListener,
                rateLimitListenerClass);
    }

    ComponentSettings withRateLimitListener(RateLimitListener listener) {
        return new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver, payerResolverClass,
                renderer, rendererClass, rateLimitStore, rateLimitStoreClass, listener, rateLimitListenerClass);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    ComponentSettings with(String name, String text) {
        String s = NAMES.contains(name) ? ParameterText.nonEmpty(name, text) : null;
        return switch (name) {
            case LEDGER -> new ComponentSettings(ledger, s, accountsResource, payerResolver, payerResolverClass,
                    renderer, rendererClass, rateLimitStore, rateLimitStoreClass, rateLimitListener,
                    rateLimitListenerClass);
            case ACCOUNTS -> new ComponentSettings(ledger, ledgerClass, s, payerResolver, payerResolverClass,
                    renderer, rendererClass, rateLimitStore, rateLimitStoreClass, rateLimitListener,
                    rateLimitListenerClass);
            case PAYER_RESOLVER -> new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver, s,
                    renderer, rendererClass, rateLimitStore, rateLimitStoreClass, rateLimitListener,
                    rateLimitListenerClass);
            case RENDERER -> new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver,
                    payerResolverClass, renderer, s, rateLimitStore, rateLimitStoreClass, rateLimitListener,
                    rateLimitListenerClass);
            case RATE_LIMIT_STORE -> new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver,
                    payerResolverClass, renderer, rendererClass, rateLimitStore, s, rateLimitListener,
                    rateLimitListenerClass);
            case RATE_LIMIT_LISTENER -> new ComponentSettings(ledger, ledgerClass, accountsResource, payerResolver,
                    payerResolverClass, renderer, rendererClass, rateLimitStore, rateLimitStoreClass,
                    rateLimitListener, s);
            default -> this;
        };
    }

    private static void nonEmpty(String name, String value) {
        if (value != null) {
            ParameterText.nonEmpty(name, value);
        }
    }
}
