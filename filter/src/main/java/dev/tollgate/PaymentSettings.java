package dev.tollgate;

import dev.tollgate.spi.payment.PaymentScheme;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which payment schemes priced endpoints accept, and the schemes given in code. A request is
 * handled by the first scheme whose credential it carries, and a {@code 402} lists them all in this
 * order. Schemes given in code ({@link TollgateConfig.Builder#paymentScheme}) win over
 * {@code ServiceLoader} entries of the same name. An endpoint's {@code @RequiresPayment(schemes)} or
 * policy {@code schemes} wins over the list here.
 *
 * <table>
 *   <caption>Payment parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #SCHEMES}</td><td>{@code account}</td><td>the payment schemes priced endpoints
 *       accept, comma-separated, in the order a request's credentials are tried and a {@code 402}
 *       lists them: {@code account} (the built-in prepaid accounts) and the names of
 *       {@link PaymentScheme}s given to {@link TollgateConfig.Builder#paymentScheme} or
 *       found by {@code ServiceLoader}; an endpoint's {@code @RequiresPayment(schemes)} or policy
 *       {@code schemes} wins</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe (the schemes are the caller's).
 *
 * @param schemes the names of the schemes priced endpoints accept, in order
 * @param paymentSchemes the schemes given in code, besides those {@code ServiceLoader} finds
 */
public record PaymentSettings(List<String> schemes, List<PaymentScheme<?, ?>> paymentSchemes) {

    /** Parameter: the payment schemes priced endpoints accept. */
    public static final String SCHEMES = "tollgate.schemes";

    static final Set<String> NAMES = Set.of(SCHEMES);
    static final PaymentSettings DEFAULTS = new PaymentSettings(List.of(PaymentScheme.ACCOUNT), List.of());

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param schemes the names of the schemes priced endpoints accept, in order: each 1 to 64
     *     characters of {@code a-z}, {@code 0-9}, {@code .}, {@code _}, {@code -}, stripped; at least one
     * @param paymentSchemes the schemes given in code, besides those {@code ServiceLoader} finds
     * @throws IllegalArgumentException if a name is malformed or repeated, or none is given; the
     *     message names the parameter and the value
     */
    public PaymentSettings {
        Set<String> seen = new LinkedHashSet<>();
        for (String n : schemes) {
            String name = n == null ? "" : n.strip();
            if (!name.matches("[a-z0-9._-]{1,64}")) {
                throw invalid(schemes, "\"" + name + "\" is not a payment scheme name (1 to 64"
                        + " characters of a-z, 0-9, '.', '_', '-')");
            }
            if (!seen.add(name)) {
                throw invalid(schemes, "the payment scheme \"" + name + "\" is named twice");
            }
        }
        if (seen.isEmpty()) {
            throw invalid(schemes, "name at least one payment scheme");
        }
        schemes = List.copyOf(seen);
        paymentSchemes = List.copyOf(paymentSchemes);
    }

    PaymentSettings withSchemes(List<String> names) {
        return new PaymentSettings(names, paymentSchemes);
    }

    /** Schemes are few; a copy per scheme costs nothing worth a mutable list. */
    PaymentSettings withPaymentScheme(PaymentScheme<?, ?> scheme) {
        List<PaymentScheme<?, ?>> all = new ArrayList<>(paymentSchemes);
        all.add(Objects.requireNonNull(scheme, "scheme"));
        return new PaymentSettings(schemes, all);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    PaymentSettings with(String name, String text) {
        return name.equals(SCHEMES) ? withSchemes(List.of(text.split(",", -1))) : this;
    }

    private static InvalidParameterException invalid(List<String> names, String reason) {
        return new InvalidParameterException(SCHEMES, String.join(",", names), reason);
    }
}
