package dev.tollgate.spi.payment;

import dev.tollgate.spi.PaymentOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@link PaymentScheme} offers in a {@code 402}: entries of the problem's
 * {@code payment-options} member, response headers, and top-level problem members. Immutable.
 *
 * @param options the {@code payment-options} entries, in order
 * @param headers headers for the {@code 402} (such as {@code PAYMENT-REQUIRED}), in order
 * @param members top-level members for the problem body (such as what a protocol's older clients
 *     read from a {@code 402} body), in order; Tollgate's own members win over members of the same
 *     name, and the first scheme to name a member wins over later ones. Values are strings,
 *     numbers, booleans, lists and maps of them
 */
public record Offer(List<PaymentOption> options, List<Map.Entry<String, String>> headers, Map<String, Object> members) {

    /** Nothing offered: the scheme cannot pay for these terms. */
    public static final Offer NONE = new Offer(List.of(), List.of());

    // Copies, keeping the members' order.
    public Offer {
        options = List.copyOf(options);
        headers = List.copyOf(headers);
        members = members == null || members.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /**
     * An offer without body members.
     *
     * @param options the {@code payment-options} entries
     * @param headers headers for the {@code 402}
     */
    public Offer(List<PaymentOption> options, List<Map.Entry<String, String>> headers) {
        this(options, headers, Map.of());
    }

    /** {@return whether nothing is offered} */
    public boolean isEmpty() {
        return options.isEmpty() && headers.isEmpty() && members.isEmpty();
    }
}
