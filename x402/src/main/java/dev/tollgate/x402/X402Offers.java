package dev.tollgate.x402;

import dev.tollgate.Money;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.payment.Offer;
import dev.tollgate.spi.payment.Terms;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the x402 scheme offers in a {@code 402}: the v2 {@code PAYMENT-REQUIRED} header, a
 * {@code payment-options} entry and the v1 body members. Stateless.
 */
final class X402Offers {

    /** The {@code error} of a v2 offer, as the specification words it. */
    static final String REQUIRED_V2 = X402Codec.PAYMENT_SIGNATURE + " header is required";
    /** The {@code error} of a v1 offer. */
    static final String REQUIRED_V1 = X402Codec.X_PAYMENT + " header is required";

    private X402Offers() {
    }

    /** Whether the facilitator settles v1 payments on this route's network (else v1 clients are not offered it). */
    static boolean v1Supported(X402Route r, X402Settings s) {
        String v1 = X402Networks.v1Name(r.network());
        return v1 != null && s.supported().contains("1:" + X402Route.EXACT + ":" + v1);
    }

    static Offer offer(X402Route r, Terms terms, String error, X402Settings s) {
        String url = url(terms.request(), s);
        JsonObject required = X402Codec.paymentRequired(error == null ? REQUIRED_V2 : error, url, r);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("header", X402Codec.PAYMENT_SIGNATURE);
        parameters.put("network", r.network());
        parameters.put("asset", r.asset().address());
        parameters.put("payTo", r.payTo());
        parameters.put("amount", r.amount().toString());
        PaymentOption option = new PaymentOption(X402Scheme.NAME, money(r), "Pay " + r.price().toPlainString() + " "
                + r.asset().name() + " on " + r.network() + " with x402: sign the payment offered in PAYMENT-REQUIRED"
                + " and send it in PAYMENT-SIGNATURE (v1 clients: X-PAYMENT).", parameters);
        Map<String, Object> members = new LinkedHashMap<>();
        JsonObject v1 = v1Supported(r, s) ? r.requirementV1(url) : null;
        if (v1 != null) {
            members.put("x402Version", 1);
            members.put("error", error == null ? REQUIRED_V1 : error);
            members.put("accepts", List.of(plain(v1)));
        }
        return new Offer(List.of(option), List.of(Map.entry(X402Codec.PAYMENT_REQUIRED, X402Codec.encode(required))),
                members);
    }

    /** A JSON object as plain maps, lists and scalars, for the problem body's JSON-B writer. */
    static Object plain(jakarta.json.JsonValue v) {
        return switch (v.getValueType()) {
            case OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                v.asJsonObject().forEach((k, x) -> m.put(k, plain(x)));
                yield m;
            }
            case ARRAY -> v.asJsonArray().stream().map(X402Offers::plain).toList();
            case STRING -> ((jakarta.json.JsonString) v).getString();
            case NUMBER -> ((jakarta.json.JsonNumber) v).bigDecimalValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case NULL -> null;
        };
    }

    /** The URL clients name the resource by; never used for a decision. */
    static String url(HttpServletRequest request, X402Settings s) {
        if (request == null) {
            return (s.resourceBase() != null ? s.resourceBase() : "http://localhost") + "/";
        }
        StringBuilder url = new StringBuilder();
        if (s.resourceBase() != null) {
            url.append(s.resourceBase());
        } else {
            // The address the connection came in on, never the Host header (which the client writes).
            String host = request.getLocalAddr();
            host = host == null || host.isEmpty() ? "localhost"
                    : host.indexOf(':') >= 0 ? "[" + host.replaceAll("%.*", "") + "]" : host;
            url.append(request.isSecure() ? "https" : "http").append("://").append(host).append(':')
                    .append(request.getLocalPort());
        }
        String path = request.getRequestURI();
        url.append(path != null && path.startsWith("/") && path.length() <= 2048 ? path : "/");
        String q = request.getQueryString();
        if (q != null && q.length() <= 2048) {
            url.append('?').append(q);
        }
        return url.toString();
    }

    static Money money(X402Route r) {
        String currency = r.asset().name().replaceAll("[^A-Za-z0-9._-]", "");
        return new Money(r.price(), currency.isEmpty() || currency.length() > 32 ? "token" : currency);
    }
}
