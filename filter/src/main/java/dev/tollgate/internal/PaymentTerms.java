package dev.tollgate.internal;

import dev.tollgate.Money;
import java.util.List;
import java.util.Objects;

/**
 * What an endpoint costs: a price (possibly zero), an entitlement, or both.
 *
 * @param price the price per call; zero when only an entitlement is required
 * @param entitlement the required entitlement, or {@code null}
 * @param description the human description, or {@code null}
 * @param resource a short name for statements and logs, such as {@code "GET quotes"}
 * @param metered whether the endpoint sets the actual amount, up to the price
 * @param schemes the payment schemes the endpoint accepts, in order; empty for the configured ones
 * @param declaredOn where the endpoint's annotations are read (method, then class), or {@code null}
 */
public record PaymentTerms(Money price, String entitlement, String description, String resource, boolean metered,
                           List<String> schemes, java.lang.reflect.AnnotatedElement declaredOn) {

    // Validates and copies.
    public PaymentTerms {
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(resource, "resource");
        schemes = schemes == null ? List.of() : List.copyOf(schemes);
    }

    /**
     * Fixed-price terms that accept the configured payment schemes.
     *
     * @param price the price per call
     * @param entitlement the required entitlement, or {@code null}
     * @param description the human description, or {@code null}
     * @param resource a short name for statements and logs
     */
    public PaymentTerms(Money price, String entitlement, String description, String resource) {
        this(price, entitlement, description, resource, false, List.of(), null);
    }

    /**
     * Terms without a declaring element.
     *
     * @param price the price per call
     * @param entitlement the required entitlement, or {@code null}
     * @param description the human description, or {@code null}
     * @param resource a short name for statements and logs
     * @param metered whether the endpoint sets the actual amount
     * @param schemes the accepted payment schemes; empty for the configured ones
     */
    public PaymentTerms(Money price, String entitlement, String description, String resource, boolean metered,
                        List<String> schemes) {
        this(price, entitlement, description, resource, metered, schemes, null);
    }

    /**
     * {@return the same terms, declared on another element}
     *
     * @param element the method (falling back to its class) or class whose annotations apply
     */
    public PaymentTerms declaredOn(java.lang.reflect.AnnotatedElement element) {
        return new PaymentTerms(price, entitlement, description, resource, metered, schemes, element);
    }

    /**
     * {@return the same terms for another resource name}
     *
     * @param name the resource name, such as {@code "HEAD quotes"}
     */
    public PaymentTerms forResource(String name) {
        return new PaymentTerms(price, entitlement, description, name, metered, schemes, declaredOn);
    }
}
