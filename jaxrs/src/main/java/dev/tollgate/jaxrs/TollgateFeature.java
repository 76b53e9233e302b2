package dev.tollgate.jaxrs;

import dev.tollgate.InvalidPolicyException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;

/**
 * Enforces {@link dev.tollgate.annotations.RequiresPayment @RequiresPayment},
 * {@link dev.tollgate.annotations.RateLimited @RateLimited} and
 * {@link dev.tollgate.annotations.Free @Free} on Jakarta REST resource classes and methods, with
 * the same engine as the servlet filter of the same web application: the same ledger, payer
 * resolver, renderer, rate limiter (and shared store) and configuration, so a resource answers
 * exactly as an annotated servlet would: the same 402, 429 and 503 bodies, the same headers, a
 * hold committed when the response is billable and released otherwise.
 *
 * <p>Register it like any provider: classpath scanning finds it (it is a {@link Provider}), or
 * list it in {@code Application.getClasses()}. It needs a Servlet 6 container where Tollgate's
 * filter runs in front of the Jakarta REST servlet (the filter registers itself from the JAR for
 * {@code /*}); the Jakarta REST implementation is yours.
 *
 * <p>Annotations: a method's {@code @RequiresPayment} or {@code @Free} replaces its class's
 * payment terms, a method's {@code @RateLimited} replaces its class's limits. {@code HEAD} served
 * by a {@code GET} method costs what {@code GET} costs. An invalid annotation on a resource
 * method the runtime knows at start-up fails the application's start with an
 * {@link InvalidPolicyException} naming the method; one on a sub-resource (returned by a locator,
 * known only when first matched) is logged and the method answers 503 until it is fixed.
 *
 * <p>Settlement: the response filter sees the final status. A billable response with an entity
 * is serialised there (through the application's own {@code MessageBodyWriter}, up to the
 * replayable size, {@code tollgate.idempotency.maxResponseBytes}) so the charge is final before any
 * byte leaves, and a charge that fails can still be turned into a 503; larger and streamed entities
 * ({@code StreamingOutput}, {@code InputStream}, files) are charged when their first bytes must
 * leave, before any does, as the filter charges a streaming servlet.
 *
 * <p>If the entity fails after bytes have left, the charge stands (it was committed when they
 * left). For a resource method that returns its entity, the servlet filter then throws the failure
 * on to the container, which aborts the response: the client sees it cut off (no last chunk, or a
 * reset). For an entity resumed through an {@link jakarta.ws.rs.container.AsyncResponse}, the
 * runtime writes it on the resuming thread, after the servlet filter has returned, and completes
 * the response itself on failure: it ends cleanly (a last chunk) after only the bytes written
 * before the failure, and the client cannot tell it from a complete one but by its content (the
 * Servlet API has no call that aborts a response, and the servlet filter has no part in that
 * thread): stream results that may fail half-way from a synchronous method.
 *
 * <p>A request that ends without reaching the response filter (an exception the runtime lets
 * through to the container) is released by the servlet filter.
 */
@Provider
public final class TollgateFeature implements Feature {

    /** Runs after authentication, so a container principal is known, and before other authorization. */
    static final int PRIORITY = Priorities.AUTHORIZATION - 100;

    /** Creates the feature; the runtime instantiates it. */
    public TollgateFeature() {
    }

    @Override
    public boolean configure(FeatureContext context) {
        context.register(ResourceGate.class, PRIORITY);
        context.register(StartupCheck.class);
        return true;
    }
}
