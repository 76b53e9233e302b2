package dev.tollgate.spi.payment;

import dev.tollgate.Money;
import java.util.Objects;

/**
 * What a priced endpoint costs, as a {@link PaymentScheme} sees it. Immutable.
 *
 * @param price the price of one call; zero when only an entitlement is required
 * @param entitlement the entitlement the endpoint requires, or {@code null}
 * @param description what the endpoint sells ({@code @RequiresPayment(description)}), or {@code null}
 * @param resource a short name for statements and logs, such as {@code "GET quotes"}
 */
public record Terms(Money price, String entitlement, String description, String resource) {

    // Validates.
    public Terms {
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(resource, "resource");
    }
}
