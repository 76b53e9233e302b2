package dev.tollgate.spi.payment;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@link PaymentScheme#commit} decided. Immutable. */
public sealed interface Committed {

    /** {@return paid, with no evidence headers} */
    static Committed paid() {
        return Paid.PLAIN;
    }

    /**
     * Paid: the endpoint's response is delivered with the evidence headers added (such as a
     * receipt, {@code PAYMENT-RESPONSE}).
     *
     * @param evidence headers for the response, in order
     */
    record Paid(List<Map.Entry<String, String>> evidence) implements Committed {
        static final Paid PLAIN = new Paid(List.of());

        // Copies.
        public Paid {
            evidence = List.copyOf(evidence);
        }
    }

    /**
     * Definitively not paid (the payment was rejected at settlement): the response is replaced by
     * a {@code 402} ({@code payment-declined}) carrying this scheme's offer and these headers. When
     * the response had already left it stays delivered, uncharged (logged).
     *
     * @param detail the problem's detail, for the client
     * @param headers extra headers for the {@code 402}, in order
     */
    record Declined(String detail, List<Map.Entry<String, String>> headers) implements Committed {
        // Validates and copies.
        public Declined {
            Objects.requireNonNull(detail, "detail");
            headers = List.copyOf(headers);
        }
    }

    /**
     * The outcome is not known (a facilitator timed out, a ledger failed): the response is replaced
     * by a {@code 503} with {@code Retry-After} and no fresh offer, so the client does not pay twice.
     * The scheme resolves the outcome itself (retrying or reversing). When the response had already
     * left it stays delivered (logged).
     *
     * @param detail the problem's detail, for the client
     */
    record Unknown(String detail) implements Committed {
        // Validates.
        public Unknown {
            Objects.requireNonNull(detail, "detail");
        }
    }
}
