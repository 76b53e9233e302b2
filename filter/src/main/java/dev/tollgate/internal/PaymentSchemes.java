package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.TollgateConfig;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.payment.Offer;
import dev.tollgate.spi.payment.PaymentScheme;
import dev.tollgate.spi.payment.Terms;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The payment schemes priced endpoints accept (their {@code @RequiresPayment(schemes)}, else
 * {@value TollgateConfig#SCHEMES}, in order), and the {@code 402} that offers them all. With only
 * the account scheme the {@code 402} is worded as it always was. Thread-safe.
 */
final class PaymentSchemes {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** A 402 offer: the refusal and the schemes' headers. */
    record Offered(Denial denial, List<Map.Entry<String, String>> headers) {
    }

    /**
     * The schemes one endpoint accepts.
     *
     * @param schemes in order
     * @param account the account scheme when it is among them, else {@code null}
     */
    record Accepted(List<PaymentScheme<Object, Object>> schemes, AccountScheme account) {
        /** {@return whether prepaid accounts are the only scheme, so the 402 is worded as before schemes} */
        boolean accountOnly() {
            return schemes.size() == 1 && account != null;
        }
    }

    private final TollgateConfig config;
    private final AccountScheme account;
    private final Map<String, PaymentScheme<?, ?>> byName = new LinkedHashMap<>();
    private final Accepted byDefault;
    /** Lists named by annotations and policies; bounded by the application's code, not by requests. */
    private final Map<List<String>, Accepted> byList = new ConcurrentHashMap<>();

    /**
     * Resolves the configured names.
     *
     * @param config the configuration, which names the accepted schemes
     * @param account the built-in scheme
     * @param found the other schemes found (given to the builder, or by {@code ServiceLoader})
     * @throws IllegalStateException if a name matches no scheme, or two schemes share a name
     */
    PaymentSchemes(TollgateConfig config, AccountScheme account, Collection<? extends PaymentScheme<?, ?>> found) {
        this.config = config;
        this.account = account;
        byName.put(PaymentScheme.ACCOUNT, account);
        for (PaymentScheme<?, ?> s : found) {
            String name = s.name();
            if (name == null || !name.matches("[a-z0-9._-]{1,64}")) {
                throw new IllegalStateException("Payment scheme " + s.getClass().getName() + " has an invalid name"
                        + " (1 to 64 characters of a-z, 0-9, '.', '_', '-')");
            }
            PaymentScheme<?, ?> before = byName.putIfAbsent(name, s);
            if (before != null) {
                throw new IllegalStateException("Payment schemes " + before.getClass().getName() + " and "
                        + s.getClass().getName() + " are both named \"" + name + "\"");
            }
        }
        this.byDefault = resolve(config.schemes(), TollgateConfig.SCHEMES);
        if (!byDefault.accountOnly()) {
            LOG.log(System.Logger.Level.INFO, "Priced endpoints accept the payment schemes {0}", config.schemes());
        }
    }

    @SuppressWarnings("unchecked")
    private Accepted resolve(List<String> names, String namedBy) {
        List<PaymentScheme<Object, Object>> list = new ArrayList<>();
        AccountScheme acceptedAccount = null;
        for (String name : names) {
            PaymentScheme<?, ?> s = byName.get(name);
            if (s == null) {
                throw new IllegalStateException(namedBy + " names the payment scheme \"" + name + "\", but none has"
                        + " that name; found: " + new TreeSet<>(byName.keySet()) + " (a scheme's module lists its"
                        + " class in META-INF/services/" + PaymentScheme.class.getName() + ")");
            }
            if (s == account) {
                acceptedAccount = account;
            }
            list.add((PaymentScheme<Object, Object>) s);
        }
        return new Accepted(List.copyOf(list), acceptedAccount);
    }

    /**
     * {@return the schemes an endpoint accepts: its own list, else the configured one}
     *
     * @param terms the endpoint's terms
     * @throws IllegalStateException if its list names a scheme not found
     */
    Accepted acceptedBy(PaymentTerms terms) {
        if (terms.schemes().isEmpty()) {
            return byDefault;
        }
        return byList.computeIfAbsent(terms.schemes(), names -> resolve(names, "@RequiresPayment(schemes)"));
    }

    /**
     * Checks at start that every policy names only schemes that exist, and that the schemes of a
     * metered policy can charge part of a reservation.
     *
     * @param policies the servlets' and configured policies
     * @throws dev.tollgate.InvalidPolicyException naming the policy, if one names a scheme not found
     */
    void check(Collection<Policy> policies) {
        for (Policy p : policies) {
            if (p.payment() == null) {
                continue;
            }
            Accepted accepted;
            try {
                accepted = acceptedBy(p.payment());
            } catch (IllegalStateException e) {
                throw new dev.tollgate.InvalidPolicyException(p.origin() + ": " + e.getMessage());
            }
            if (p.payment().metered()) {
                // Charging the whole maximum instead of the metered amount would overcharge: refuse at start.
                for (PaymentScheme<Object, Object> scheme : accepted.schemes()) {
                    if (!scheme.commitsActualAmounts()) {
                        throw new dev.tollgate.InvalidPolicyException("@RequiresPayment(metered = true) on "
                                + p.origin() + ": the payment scheme " + scheme.name()
                                + " cannot charge part of a reservation");
                    }
                }
            }
        }
    }

    /**
     * {@return for each scheme but the account scheme, the terms of the policies that accept it}
     *
     * @param policies the servlets' and configured policies (checked by {@link #check})
     */
    Map<PaymentScheme<?, ?>, List<Terms>> endpoints(Collection<Policy> policies) {
        Map<PaymentScheme<?, ?>, List<Terms>> byScheme = new LinkedHashMap<>();
        for (PaymentScheme<?, ?> s : byName.values()) {
            if (s != account) {
                byScheme.put(s, new ArrayList<>());
            }
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Policy p : policies) {
            PaymentTerms t = p.payment();
            if (t == null || !seen.add(t.resource())) {
                continue;
            }
            Terms terms = t.terms();
            for (PaymentScheme<Object, Object> s : acceptedBy(t).schemes()) {
                if (s != (Object) account) {
                    byScheme.get(s).add(terms);
                }
            }
        }
        Map<PaymentScheme<?, ?>, List<Terms>> copy = new LinkedHashMap<>();
        byScheme.forEach((s, list) -> copy.put(s, List.copyOf(list)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * {@return the 402 for a request that carries no accepted scheme's credential}
     *
     * @param accepted the schemes the endpoint accepts
     * @param policyTerms the endpoint's terms, as the account-only 402 words them
     * @param terms the same terms, as schemes see them
     */
    Offered paymentRequired(Accepted accepted, PaymentTerms policyTerms, Terms terms) {
        if (accepted.accountOnly()) {
            return new Offered(Refusals.paymentRequired(policyTerms, config), List.of()); // as before schemes
        }
        List<PaymentOption> options = new ArrayList<>();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        Map<String, Object> members = new LinkedHashMap<>();
        for (PaymentScheme<Object, Object> s : accepted.schemes()) {
            Offer offer = offer(s, terms);
            options.addAll(offer.options());
            headers.addAll(offer.headers());
            offer.members().forEach(members::putIfAbsent);
        }
        if (accepted.account() == null && terms.entitlement() == null && options.isEmpty() && headers.isEmpty()) {
            // A priced endpoint whose schemes all offer nothing (every one out of service) cannot be
            // paid for now: a 402 would send the client looking for a way that does not exist.
            LOG.log(System.Logger.Level.WARNING, "{0}: no accepted payment scheme offers a way to pay; answering 503",
                    terms.resource());
            return new Offered(Refusals.noSchemeAvailable(config.ledgerRetryAfter()), List.of());
        }
        return new Offered(Refusals.paymentRequired(terms, options).withMembers(members), headers);
    }

    /**
     * {@return a scheme's offer; none when it fails (logged), so the other schemes are still offered}
     *
     * @param scheme the scheme
     * @param terms the terms
     */
    static Offer offer(PaymentScheme<Object, Object> scheme, Terms terms) {
        try {
            Offer offer = scheme.offer(terms);
            return offer == null ? Offer.NONE : offer;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Payment scheme " + scheme.name() + " failed to make its offer", e);
            return Offer.NONE;
        }
    }
}
