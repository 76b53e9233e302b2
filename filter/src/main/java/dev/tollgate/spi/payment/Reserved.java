package dev.tollgate.spi.payment;

import dev.tollgate.Denial;
import dev.tollgate.Money;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.RecordedResponse;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link PaymentScheme#reserve} decided. Immutable.
 *
 * @param <H> the scheme's handle on a reservation
 */
public sealed interface Reserved<H> {

    /**
     * The payment is reserved: the endpoint runs, and its outcome commits or releases it.
     *
     * @param handle what the scheme needs to commit or release
     * @param hold how the reservation is described to adapters and logs ({@code Ticket.hold()}): an
     *     id, who pays, the amount and when the reservation lapses by itself
     * @param payer the paying party, or {@code null} when the scheme names none
     * @param balance the payer's balance after the reservation, or {@code null} when unknown
     * @param recordResponse whether {@link PaymentScheme#commit} needs the response recorded even
     *     when the request sent no {@code Idempotency-Key} (a scheme with idempotency records of its
     *     own, such as x402's payment identifiers, replays it later with {@link Replayed})
     * @param <H> the handle's type
     */
    record Held<H>(H handle, Hold hold, Payer payer, Money balance, boolean recordResponse) implements Reserved<H> {
        // Validates.
        public Held {
            Objects.requireNonNull(handle, "handle");
            Objects.requireNonNull(hold, "hold");
        }

        /**
         * A reservation whose response is recorded only for a request's {@code Idempotency-Key}.
         *
         * @param handle what the scheme needs to commit or release
         * @param hold how the reservation is described
         * @param payer the paying party, or {@code null}
         * @param balance the balance after the reservation, or {@code null}
         */
        public Held(H handle, Hold hold, Payer payer, Money balance) {
            this(handle, hold, payer, balance, false);
        }
    }

    /**
     * The request is refused before its endpoint runs (declined, unknown payer, conflict,
     * unavailable). Tollgate renders the denial with the configured renderer and adds the headers
     * as protocol headers.
     *
     * @param denial why, for the client
     * @param headers headers the answer must carry (such as the scheme's challenge on a 402), in order
     * @param <H> the handle's type
     */
    record Refused<H>(Denial denial, List<Map.Entry<String, String>> headers) implements Reserved<H> {
        // Validates and copies.
        public Refused {
            Objects.requireNonNull(denial, "denial");
            headers = List.copyOf(headers);
        }

        /**
         * A refusal without headers of the scheme.
         *
         * @param denial why
         */
        public Refused(Denial denial) {
            this(denial, List.of());
        }
    }

    /**
     * A request with the same idempotency key was completed before: its recorded response is sent
     * again (with {@code Idempotent-Replayed: true}) and nothing is charged.
     *
     * @param response the recorded response
     * @param <H> the handle's type
     */
    record Replayed<H>(RecordedResponse response) implements Reserved<H> {
        // Validates.
        public Replayed {
            Objects.requireNonNull(response, "response");
        }
    }
}
