package dev.tollgate.spi.payment;

import dev.tollgate.Money;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.AnnotatedElement;
import java.util.Objects;

/**
 * What a priced endpoint costs, as a {@link PaymentScheme} sees it. Immutable (the request it may
 * carry is the container's).
 *
 * @param price the price of one call; zero when only an entitlement is required
 * @param entitlement the entitlement the endpoint requires, or {@code null}
 * @param description what the endpoint sells ({@code @RequiresPayment(description)}), or {@code null}
 * @param resource a short name for statements and logs, such as {@code "GET quotes"}
 * @param declaredOn where the endpoint's annotations are read: its method, whose
 *     {@link AnnotatedElement#getAnnotation} falls back to the class (so a scheme can read an
 *     annotation of its own next to {@code @RequiresPayment}); {@code null} for a configured policy
 * @param request the request being priced, or {@code null} outside a request (at start-up); a
 *     scheme may read what it must echo (such as the URL a protocol names the resource by), never the body
 */
public record Terms(Money price, String entitlement, String description, String resource, AnnotatedElement declaredOn,
                    HttpServletRequest request) {

    // Validates.
    public Terms {
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(resource, "resource");
    }

    /**
     * Terms without a declaring element or a request.
     *
     * @param price the price of one call
     * @param entitlement the entitlement, or {@code null}
     * @param description what the endpoint sells, or {@code null}
     * @param resource a short name for statements and logs
     */
    public Terms(Money price, String entitlement, String description, String resource) {
        this(price, entitlement, description, resource, null, null);
    }

    /**
     * {@return the same terms for one request} Tollgate builds an endpoint's terms once and gives
     * schemes other than {@code account} a copy with the request.
     *
     * @param request the request being priced
     */
    public Terms withRequest(HttpServletRequest request) {
        return new Terms(price, entitlement, description, resource, declaredOn, request);
    }

    /**
     * {@return an annotation on the endpoint (its method first, then its class), or {@code null}}
     *
     * @param type the annotation type
     * @param <A> the annotation type
     */
    public <A extends java.lang.annotation.Annotation> A annotation(Class<A> type) {
        return declaredOn == null ? null : declaredOn.getAnnotation(type);
    }
}
