package dev.tollgate.spi.payment;

import dev.tollgate.spi.PaymentOption;
import java.util.List;
import java.util.Map;

/**
 * What one {@link PaymentScheme} offers in a {@code 402}: entries of the problem's
 * {@code payment-options} member and response headers. Immutable.
 *
 * @param options the {@code payment-options} entries, in order
 * @param headers headers for the {@code 402} (such as {@code PAYMENT-REQUIRED}), in order
 */
public record Offer(List<PaymentOption> options, List<Map.Entry<String, String>> headers) {

    /** Nothing offered: the scheme cannot pay for these terms. */
    public static final Offer NONE = new Offer(List.of(), List.of());

    // Copies.
    public Offer {
        options = List.copyOf(options);
        headers = List.copyOf(headers);
    }

    /** {@return whether nothing is offered} */
    public boolean isEmpty() {
        return options.isEmpty() && headers.isEmpty();
    }
}
