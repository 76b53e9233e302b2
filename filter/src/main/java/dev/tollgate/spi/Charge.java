package dev.tollgate.spi;

import dev.tollgate.Money;
import java.util.Objects;

/**
 * One request's demand on a payer's account: a price to hold, an entitlement to check, or both.
 *
 * @param account the payer's account id, as produced by the {@link PayerResolver}
 * @param price the amount to hold; zero for an entitlement check alone
 * @param entitlement the entitlement the account must hold, or {@code null} for none
 * @param resource what is being bought, for statements and logs, such as
 *     {@code "GET reports: Monthly report"}
 * @param idempotency the idempotency key and request fingerprint
 */
public record Charge(String account, Money price, String entitlement, String resource, Idempotency idempotency) {

    // Rejects null components and a blank entitlement.
    public Charge {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(price, "price");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(idempotency, "idempotency");
        if (entitlement != null && entitlement.isBlank()) {
            throw new IllegalArgumentException("entitlement must be null or non-blank");
        }
    }
}
