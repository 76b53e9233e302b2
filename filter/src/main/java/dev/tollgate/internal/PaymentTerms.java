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
 */
public record PaymentTerms(Money price, String entitlement, String description, String resource) {

    // Validates.
    public PaymentTerms {
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(resource, "resource");
    }
}
