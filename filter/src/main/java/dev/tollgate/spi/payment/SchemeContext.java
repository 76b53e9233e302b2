package dev.tollgate.spi.payment;

import dev.tollgate.spi.Ledger;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * What a {@link PaymentScheme} learns when Tollgate starts ({@link PaymentScheme#start}): its
 * parameters, the clock, the ledger, and the endpoints that accept it. Immutable.
 *
 * @param parameters every {@code tollgate.*} parameter of the application (a module reads its own,
 *     declared through {@link dev.tollgate.spi.ParameterNames})
 * @param clock Tollgate's clock (the one tests inject)
 * @param ledger the ledger in use, so a scheme can keep its records in the same store
 * @param endpoints the terms of every servlet endpoint and configured policy that accepts this
 *     scheme, known at start-up; Jakarta REST resources are read on first use and are not listed
 */
public record SchemeContext(Map<String, String> parameters, Clock clock, Ledger ledger, List<Terms> endpoints) {

    // Copies.
    public SchemeContext {
        parameters = Map.copyOf(parameters);
        endpoints = List.copyOf(endpoints);
    }
}
