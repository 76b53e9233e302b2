package dev.tollgate;

import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.Rendering;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The default {@link DenialRenderer}: an RFC 9457 {@code application/problem+json} body written
 * with JSON-B.
 *
 * <p>Members: {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance} (the
 * request path), and the extensions {@code price} and {@code currency}, {@code balance},
 * {@code entitlement}, {@code description}, {@code payment-options} and {@code violated-policies}
 * when they apply, and the members a payment scheme adds (such as x402's v1 {@code accepts}). Amounts
 * are JSON numbers written exactly.
 *
 * <p>A {@code 402} to a browser (an {@code Accept} header that asks for {@code text/html} before
 * any JSON type, as browsers send) is a small HTML page instead: the same status and headers, the
 * price and each way to pay, in plain text with no script. Every other client gets the JSON.
 *
 * <pre>{@code
 * {"type":"https://tollgate.dev/problems/insufficient-funds","title":"Insufficient funds",
 *  "status":402,"detail":"This request costs 5 credits; the balance is 3 credits.",
 *  "instance":"/api/reports/7","price":5,"currency":"credits","balance":3,
 *  "payment-options":[{"scheme":"account","price":5,"currency":"credits", ...}]}
 * }</pre>
 *
 * <p>Thread-safe. Applications that want another shape can wrap it: call
 * {@link #render(Denial, HttpServletRequest)} for what they do not handle themselves, or
 * {@link #problem(Denial, HttpServletRequest)} to start from the member map.
 */
public final class ProblemDetailsRenderer implements DenialRenderer {

    /** The media type of the bodies: {@value}. */
    public static final String PROBLEM_JSON = "application/problem+json";

    private final String typeBase;
    private final Jsonb jsonb;

    /**
     * Creates a renderer whose problem type URIs start with {@code typeBase}.
     *
     * @param typeBase such as {@value TollgateConfig#DEFAULT_PROBLEM_TYPE_BASE}
     */
    public ProblemDetailsRenderer(String typeBase) {
        this.typeBase = Objects.requireNonNull(typeBase, "typeBase");
        this.jsonb = JsonbBuilder.create(new JsonbConfig().withNullValues(false));
    }

    /** Creates a renderer with the default problem type base. */
    public ProblemDetailsRenderer() {
        this(TollgateConfig.DEFAULT_PROBLEM_TYPE_BASE);
    }

    @Override
    public Rendering render(Denial denial, HttpServletRequest request) {
        if (denial.status() == 402 && request != null && prefersHtml(request.getHeader("Accept"))) {
            return new Rendering(402, "text/html;charset=utf-8", paywall(denial).getBytes(StandardCharsets.UTF_8),
                    List.of());
        }
        byte[] body = jsonb.toJson(problem(denial, request)).getBytes(StandardCharsets.UTF_8);
        return new Rendering(denial.status(), PROBLEM_JSON, body, List.of());
    }

    /**
     * Whether an {@code Accept} header puts HTML first: {@code text/html} with a weight above zero
     * and at least that of every JSON type it names. Headers over 1,024 characters get JSON.
     */
    static boolean prefersHtml(String accept) {
        if (accept == null || accept.length() > 1024 || !accept.contains("text/html")) {
            return false;
        }
        double html = -1;
        double json = -1;
        for (String range : accept.split(",", 32)) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(java.util.Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (type.equals("text/html")) {
                html = Math.max(html, q);
            } else if (type.equals("application/json") || type.equals(PROBLEM_JSON)) {
                json = Math.max(json, q);
            }
        }
        return html > 0 && html >= json;
    }

    /** The 402 as a page a person can read: what it costs and the ways to pay. */
    private static String paywall(Denial denial) {
        StringBuilder b = new StringBuilder(1024).append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>").append(html(denial.kind().title())).append("</title></head><body>\n<h1>")
                .append(html(denial.kind().title())).append("</h1>\n<p>").append(html(denial.detail())).append("</p>\n");
        if (denial.description() != null) {
            b.append("<p>What you pay for: ").append(html(denial.description())).append("</p>\n");
        }
        if (!denial.paymentOptions().isEmpty()) {
            b.append("<h2>Ways to pay</h2>\n<ul>\n");
            for (PaymentOption o : denial.paymentOptions()) {
                b.append("<li><strong>").append(html(o.scheme())).append("</strong>: ")
                        .append(html(o.price().amount().toPlainString())).append(' ').append(html(o.price().currency()));
                if (o.description() != null) {
                    b.append(". ").append(html(o.description()));
                }
                b.append("</li>\n");
            }
            b.append("</ul>\n");
        }
        return b.append("<p>Programs read the same answer as JSON: send <code>Accept: application/json</code>.</p>\n")
                .append("</body></html>\n").toString();
    }

    private static String html(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Builds the problem members in order, for renderers that want to add or drop some.
     *
     * @param denial the refusal
     * @param request the request
     * @return a mutable, ordered map of JSON members
     */
    public Map<String, Object> problem(Denial denial, HttpServletRequest request) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", typeOf(denial.kind()));
        p.put("title", denial.kind().title());
        p.put("status", denial.status());
        p.put("detail", denial.detail());
        if (request != null) {
            p.put("instance", request.getRequestURI());
        }
        if (denial.price() != null) {
            p.put("price", denial.price().amount());
            p.put("currency", denial.price().currency());
        }
        if (denial.balance() != null) {
            p.put("balance", denial.balance().amount());
            if (denial.price() == null || !denial.price().currency().equals(denial.balance().currency())) {
                p.put("balance-currency", denial.balance().currency());
            }
        }
        if (denial.entitlement() != null) {
            p.put("entitlement", denial.entitlement());
        }
        if (denial.description() != null) {
            p.put("description", denial.description());
        }
        if (!denial.violatedPolicies().isEmpty()) {
            p.put("violated-policies", denial.violatedPolicies());
        }
        if (!denial.paymentOptions().isEmpty()) {
            List<Map<String, Object>> options = new ArrayList<>();
            for (PaymentOption o : denial.paymentOptions()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("scheme", o.scheme());
                m.put("price", o.price().amount());
                m.put("currency", o.price().currency());
                if (o.description() != null) {
                    m.put("description", o.description());
                }
                m.putAll(new java.util.TreeMap<>(o.parameters()));
                options.add(m);
            }
            p.put("payment-options", options);
        }
        denial.members().forEach(p::putIfAbsent); // a scheme's extra members never replace Tollgate's
        return p;
    }

    /**
     * {@return the problem type URI of a kind}
     *
     * @param kind the kind
     */
    public String typeOf(Denial.Kind kind) {
        return kind == Denial.Kind.RATE_LIMITED ? Denial.QUOTA_EXCEEDED_TYPE : typeBase + kind.slug();
    }
}
