package dev.tollgate.internal;

import dev.tollgate.Money;
import dev.tollgate.spi.payment.Terms;
import java.util.List;
import java.util.Objects;

/**
 * What an endpoint costs: a price (possibly zero), an entitlement, or both.
 *
 * <p>The scheme-facing {@link Terms} are built once here, with the policy, rather than once per
 * paid request.
 *
 * @param terms what a payment scheme sees: price, entitlement, description and resource name
 * @param metered whether the endpoint sets the actual amount, up to the price
 * @param schemes the payment schemes the endpoint accepts, in order; empty for the configured ones
 */
public record PaymentTerms(Terms terms, boolean metered, List<String> schemes) {

    // Validates and copies.
    public PaymentTerms {
        Objects.requireNonNull(terms, "terms");
        schemes = schemes == null ? List.of() : List.copyOf(schemes);
    }

    /**
     * Terms from their parts.
     *
     * @param price the price per call; zero when only an entitlement is required
     * @param entitlement the required entitlement, or {@code null}
     * @param description the human description, or {@code null}
     * @param resource a short name for statements and logs, such as {@code "GET quotes"}
     * @param metered whether the endpoint sets the actual amount, up to the price
     * @param schemes the payment schemes the endpoint accepts, in order; empty for the configured ones
     */
    public PaymentTerms(Money price, String entitlement, String description, String resource, boolean metered,
                        List<String> schemes) {
        this(new Terms(price, entitlement, description, resource), metered, schemes);
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
        this(price, entitlement, description, resource, false, List.of());
    }

    /**
     * {@return the same terms, declared on another element}
     *
     * @param element the method (falling back to its class) or class whose annotations apply
     */
    public PaymentTerms declaredOn(java.lang.reflect.AnnotatedElement element) {
        return new PaymentTerms(new Terms(price(), entitlement(), description(), resource(), element, null), metered,
                schemes);
    }

    /** {@return where the endpoint's annotations are read (method, then class), or {@code null}} */
    public java.lang.reflect.AnnotatedElement declaredOn() {
        return terms.declaredOn();
    }

    /** {@return the price per call; zero when only an entitlement is required} */
    public Money price() {
        return terms.price();
    }

    /** {@return the required entitlement, or {@code null}} */
    public String entitlement() {
        return terms.entitlement();
    }

    /** {@return the human description, or {@code null}} */
    public String description() {
        return terms.description();
    }

    /** {@return a short name for statements and logs, such as {@code "GET quotes"}} */
    public String resource() {
        return terms.resource();
    }

    /**
     * {@return the same terms for another resource name}
     *
     * @param name the resource name, such as {@code "HEAD quotes"}
     */
    public PaymentTerms forResource(String name) {
        return new PaymentTerms(new Terms(price(), entitlement(), description(), name, terms.declaredOn(), null),
                metered, schemes);
    }
}
