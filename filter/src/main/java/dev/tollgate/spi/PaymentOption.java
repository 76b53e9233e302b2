package dev.tollgate.spi;

import dev.tollgate.Money;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One way a refused client can pay for the request, listed in {@code 402} responses under
 * {@code payment-options}. The built-in ledgers offer the {@value #ACCOUNT} scheme (present the
 * credential of an account that holds enough); a per-request payment scheme would describe
 * itself here.
 *
 * @param scheme a short name of the scheme, such as {@value #ACCOUNT}
 * @param price what the request costs in this scheme
 * @param description a human sentence on how to pay, or {@code null}
 * @param parameters scheme-specific values (such as the header that carries the credential)
 */
public record PaymentOption(String scheme, Money price, String description, Map<String, String> parameters) {

    /** The scheme of prepaid accounts identified by an API key or token: {@value}. */
    public static final String ACCOUNT = "account";

    // Validates and copies.
    public PaymentOption {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(price, "price");
        parameters = Map.copyOf(parameters);
    }

    /**
     * The offer of a {@code 402} for missing funds: the {@value #ACCOUNT} scheme at the price. The
     * built-in ledgers list it in their denials, and Tollgate adds it to a denial for insufficient
     * funds whose ledger listed no option, so every ledger's {@code 402} says how to pay.
     *
     * @param price the price asked
     * @return the option, or an empty list for a zero price (nothing to pay)
     */
    public static List<PaymentOption> accountOptions(Money price) {
        if (price.isZero()) {
            return List.of();
        }
        return List.of(new PaymentOption(ACCOUNT, price, "Present the key of an account that holds at least the price.",
                Map.of()));
    }
}
