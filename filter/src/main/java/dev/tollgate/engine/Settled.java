package dev.tollgate.engine;

import java.util.List;
import java.util.Map;

/**
 * What settling a call means for its response. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link Deliver}: send the endpoint's response, with {@link Deliver#headers()} added (a
 *       payment scheme's settlement evidence, such as a receipt; none for the account scheme);</li>
 *   <li>{@link Replace}: send {@link Replace#answer()} instead (a 503 when the charge failed, its
 *       outcome is unknown or the call outlived its hold; a 402 when a payment scheme declined the
 *       payment), and drop the endpoint's bytes;</li>
 *   <li>{@link Replaced}: an earlier settlement of this call replaced the response already: drop the
 *       endpoint's bytes, send nothing more;</li>
 *   <li>{@link DeliveredUncharged}: the charge failed after the response had left; it stays
 *       delivered, uncharged (logged as an error by the engine).</li>
 * </ul>
 */
public sealed interface Settled {

    /** {@return "deliver, with no extra headers"} */
    static Settled deliver() {
        return Deliver.PLAIN;
    }

    /** {@return "the response was replaced earlier"} */
    static Settled replaced() {
        return Replaced.INSTANCE;
    }

    /**
     * Send the endpoint's response.
     *
     * @param headers headers to add to it, in order
     */
    record Deliver(List<Map.Entry<String, String>> headers) implements Settled {
        static final Deliver PLAIN = new Deliver(List.of());

        // Copies the headers.
        public Deliver {
            headers = List.copyOf(headers);
        }
    }

    /**
     * Send this answer instead of the endpoint's response.
     *
     * @param answer the answer
     */
    record Replace(Answer answer) implements Settled {
    }

    /** The response was replaced by an earlier settlement of the call. */
    enum Replaced implements Settled {
        /** The only value. */
        INSTANCE
    }

    /** The response left before the charge failed: delivered, uncharged. */
    enum DeliveredUncharged implements Settled {
        /** The only value. */
        INSTANCE
    }
}
