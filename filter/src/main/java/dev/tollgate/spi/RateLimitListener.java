package dev.tollgate.spi;

import dev.tollgate.annotations.StoreFailure;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Hears about rate-limit events, for metrics and alerts: limits exceeded (including shadow limits,
 * which only report) and failures of the shared store. Called on request threads: implementations
 * must be thread-safe, fast and must not throw (exceptions are logged and ignored).
 *
 * @deprecated use a {@link dev.tollgate.spi.events.TollgateListener}, which hears these events
 *     ({@link dev.tollgate.spi.events.TollgateEvent.Limited},
 *     {@link dev.tollgate.spi.events.TollgateEvent.ShadowLimited},
 *     {@link dev.tollgate.spi.events.TollgateEvent.StoreFailed}) and every other decision. A
 *     listener of this type still works: Tollgate adapts it to the event SPI.
 */
@Deprecated
public interface RateLimitListener {

    /**
     * A limit refused a request, or a shadow limit would have.
     *
     * @param event what happened
     */
    default void limitExceeded(Exceeded event) {
    }

    /**
     * The shared store failed or timed out; the limit's {@code onStoreFailure} policy was applied.
     *
     * @param store the store's name
     * @param applied the policy applied ({@code OPEN}, {@code CLOSED} or {@code LOCAL})
     * @param cause the failure
     */
    default void storeFailed(String store, StoreFailure applied, RuntimeException cause) {
    }

    /**
     * A limit was exceeded.
     *
     * @param servletName the servlet
     * @param method the HTTP method
     * @param policies the names of the limits exceeded
     * @param shadow whether these are shadow limits (the request was admitted)
     * @param retryAfter when a retry would be admitted
     */
    record Exceeded(String servletName, String method, List<String> policies, boolean shadow, Duration retryAfter) {

        /** Copies the list. */
        public Exceeded {
            Objects.requireNonNull(servletName, "servletName");
            Objects.requireNonNull(method, "method");
            policies = List.copyOf(policies);
        }
    }
}
