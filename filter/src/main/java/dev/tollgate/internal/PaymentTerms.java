package dev.tollgate.internal;

import dev.tollgate.Money;
import java.util.Objects;

/**
 * What an endpoint costs: a price (possibly zero), an entitlement, or both.
 *
 * @param price the price per call; zero when only an entitlement is required
 * @param entitlement the required entitlement, or {@code null}
 * @param description the human description, or {@code null}
 * @param resource a short name for statements and logs, such as {@code "GET quotes"}
 * @param metered whether the endpoint sets the actual amount, up to the price
 */
public record PaymentTerms(Money price, String entitlement, String description, String resource, boolean metered) {

    // Validates.
    public PaymentTerms {
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(resource, "resource");
    }

    /**
     * Fixed-price terms.
     *
     * @param price the price per call
     * @param entitlement the required entitlement, or {@code null}
     * @param description the human description, or {@code null}
     * @param resource a short name for statements and logs
     */
    public PaymentTerms(Money price, String entitlement, String description, String resource) {
        this(price, entitlement, description, resource, false);
    }

    /**
     * {@return these terms for another resource name}
     *
     * @param resource the resource name
     */
    PaymentTerms forResource(String resource) {
        return new PaymentTerms(price, entitlement, description, resource, metered);
    }
}
