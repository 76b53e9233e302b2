package dev.tollgate.x402;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An x402 facilitator over HTTP: {@code GET /supported}, {@code POST /verify}, {@code POST /settle}.
 * Several base URLs are tried in order when one cannot be reached (connection refused or failed);
 * a request that was sent and timed out is not sent elsewhere. Every call is bounded by the connect
 * and request timeouts, and answers are read up to 64 KiB. Authentication headers are sent with
 * every call and never logged or shown. Thread-safe.
 */
public final class Facilitator {

    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    /** What went wrong talking to the facilitator. */
    public static final class FacilitatorException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        FacilitatorException(String message, boolean timedOut, Throwable cause) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        /** {@return whether the request was sent and no answer came in time (its effect is unknown)} */
        public boolean timedOut() {
            return timedOut;
        }
    }

    /**
     * The answer of {@code /verify}.
     *
     * @param valid whether the payment is valid
     * @param invalidReason the facilitator's reason when it is not, or {@code null}
     * @param payer the payer the facilitator names, or {@code null}
     */
    public record Verification(boolean valid, String invalidReason, String payer) {
    }

    /**
     * The answer of {@code /settle}.
     *
     * @param success whether the transfer was made
     * @param errorReason the facilitator's reason when it was not, or {@code null}
     * @param transaction the transaction hash, or {@code ""}
     * @param network the network the facilitator names, or {@code null}
     * @param payer the payer the facilitator names, or {@code null}
     */
    public record Settlement(boolean success, String errorReason, String transaction, String network, String payer) {
    }

    private final List<URI> bases;
    private final Duration requestTimeout;
    private final Map<String, String> authHeaders;
    private final HttpClient http;

    /**
     * Creates a client.
     *
     * @param bases the facilitator's base URLs, tried in order ({@code http} or {@code https})
     * @param connectTimeout the connect timeout
     * @param requestTimeout the timeout of each request, from sending to the whole answer
     * @param authHeaders headers sent with every call (such as {@code Authorization}); never logged
     */
    public Facilitator(List<URI> bases, Duration connectTimeout, Duration requestTimeout,
                       Map<String, String> authHeaders) {
        if (bases.isEmpty()) {
            throw new IllegalArgumentException("at least one facilitator URL is required");
        }
        for (URI u : bases) {
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException("facilitator URL \"" + redact(u) + "\" is not an absolute http(s)"
                        + " URL");
            }
            if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
                // Credentials in a URL end up in logs and messages; headers are never shown. A query
                // would be dropped from every call anyway.
                throw new IllegalArgumentException("facilitator URL \"" + redact(u) + "\" must not carry credentials,"
                        + " a query or a fragment; send credentials as a header (tollgate.x402.authHeader.<Name>)");
            }
        }
        for (Map.Entry<String, String> h : authHeaders.entrySet()) {
            if (h.getValue() == null || !isHeaderValue(h.getValue())) {
                throw new IllegalArgumentException("the facilitator header " + h.getKey() + " has no valid value"
                        + " (control characters such as CR or LF)"); // never the value: it is a secret
            }
        }
        this.bases = List.copyOf(bases);
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.authHeaders = Map.copyOf(authHeaders);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** {@return the base URLs, as configured} Not for messages: see {@link #redactedBases()}. */
    public List<URI> bases() {
        return bases;
    }

    /** {@return the base URLs for messages and logs: scheme, host, port and path only} */
    public List<String> redactedBases() {
        return bases.stream().map(Facilitator::redact).toList();
    }

    /**
     * {@return a URL for a message or a log: {@code scheme://host[:port]/path}, without credentials,
     * query or fragment} Anything that is not such a URL becomes {@code "(not a URL)"}.
     *
     * @param url the URL
     */
    public static String redact(URI url) {
        if (url == null || url.getScheme() == null || url.getHost() == null) {
            return "(not a URL)";
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                + (path.length() > 200 ? path.substring(0, 200) + "..." : path);
    }

    /**
     * {@return {@link #redact(URI)} of a string that may not even be a URL}
     *
     * @param url the text
     */
    static String redact(String url) {
        try {
            return redact(URI.create(url));
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
    }

    /** {@return whether a header value has only visible ASCII, spaces and tabs} */
    static boolean isHeaderValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c > 0x7e)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return what the facilitator can settle, as {@code "<x402Version>:<scheme>:<network>"} strings}
     *
     * @throws FacilitatorException if no facilitator answers {@code /supported} sensibly
     */
    public Set<String> supported() throws FacilitatorException {
        JsonObject o = call("supported", null);
        Set<String> kinds = new HashSet<>();
        JsonValue list = o.get("kinds");
        if (list == null || list.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new FacilitatorException("the facilitator's /supported answer has no kinds", false, null);
        }
        for (JsonValue k : list.asJsonArray()) {
            if (k.getValueType() == JsonValue.ValueType.OBJECT) {
                JsonObject kind = k.asJsonObject();
                kinds.add(kind.get("x402Version") + ":" + text(kind, "scheme") + ":" + text(kind, "network"));
            }
        }
        return kinds;
    }

    /**
     * Asks whether a payment is valid for a requirement; does not move money.
     *
     * @param version the x402 version of the payment
     * @param payload the payment as the client sent it
     * @param requirement the requirement it pays
     * @return the answer
     * @throws FacilitatorException if the facilitator cannot be reached, times out or answers an error
     */
    public Verification verify(int version, JsonObject payload, JsonObject requirement) throws FacilitatorException {
        JsonObject o = call("verify", body(version, payload, requirement));
        JsonValue valid = o.get("isValid");
        if (valid != JsonValue.TRUE && valid != JsonValue.FALSE) {
            throw new FacilitatorException("the facilitator's /verify answer has no isValid", false, null);
        }
        return new Verification(valid == JsonValue.TRUE, reason(o, "invalidReason"), text(o, "payer"));
    }

    /**
     * Settles a verified payment: the facilitator submits the transfer.
     *
     * @param version the x402 version of the payment
     * @param payload the payment as the client sent it
     * @param requirement the requirement it pays
     * @return the answer
     * @throws FacilitatorException if the facilitator cannot be reached, times out or answers an error
     */
    public Settlement settle(int version, JsonObject payload, JsonObject requirement) throws FacilitatorException {
        JsonObject o = call("settle", body(version, payload, requirement));
        JsonValue success = o.get("success");
        if (success != JsonValue.TRUE && success != JsonValue.FALSE) {
            throw new FacilitatorException("the facilitator's /settle answer has no success", false, null);
        }
        String tx = text(o, "transaction");
        return new Settlement(success == JsonValue.TRUE, reason(o, "errorReason"), tx == null ? "" : tx,
                text(o, "network"), text(o, "payer"));
    }

    private static JsonObject body(int version, JsonObject payload, JsonObject requirement) {
        return Json.createObjectBuilder().add("x402Version", version).add("paymentPayload", payload)
                .add("paymentRequirements", requirement).build();
    }

    /** Reasons are opaque codes passed to clients: kept only when short and plain. */
    private static String reason(JsonObject o, String name) {
        String r = text(o, name);
        return r != null && r.matches("[A-Za-z0-9_.:-]{1,100}") ? r : r == null ? null : "unspecified";
    }

    private static String text(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }

    private JsonObject call(String path, JsonObject body) throws FacilitatorException {
        FacilitatorException last = null;
        for (URI base : bases) {
            URI uri = base.resolve(base.getPath().endsWith("/") ? path : base.getPath() + "/" + path);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                    .header("Accept", "application/json");
            authHeaders.forEach(b::header);
            if (body == null) {
                b.GET();
            } else {
                b.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                if (e instanceof java.net.http.HttpConnectTimeoutException) {
                    last = new FacilitatorException("cannot connect to the facilitator at " + redact(base) + " (timeout)", false,
                            e);
                    continue;
                }
                throw new FacilitatorException("the facilitator at " + redact(base) + " did not answer /" + path + " in "
                        + requestTimeout.toMillis() + " ms", true, e);
            } catch (ConnectException e) {
                last = new FacilitatorException("cannot connect to the facilitator at " + redact(base), false, e);
                continue;
            } catch (IOException e) {
                throw new FacilitatorException("the facilitator at " + redact(base) + " failed during /" + path + ": "
                        + e.getClass().getSimpleName(), false, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FacilitatorException("interrupted while calling the facilitator", false, e);
            }
            return answer(base, path, response);
        }
        throw last;
    }

    private static JsonObject answer(URI base, String path, HttpResponse<InputStream> response)
            throws FacilitatorException {
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
        } catch (IOException e) {
            throw new FacilitatorException("the facilitator at " + redact(base) + " broke off its /" + path + " answer", false,
                    e);
        }
        if (response.statusCode() >= 500 || response.statusCode() < 200 || response.statusCode() >= 300
                && response.statusCode() != 400) {
            throw new FacilitatorException("the facilitator at " + redact(base) + " answered /" + path + " with status "
                    + response.statusCode(), false, null);
        }
        if (bytes.length > MAX_ANSWER_BYTES) {
            throw new FacilitatorException("the facilitator's /" + path + " answer is over " + MAX_ANSWER_BYTES
                    + " bytes", false, null);
        }
        try (JsonReader r = Json.createReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)))) {
            JsonValue v = r.readValue();
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new FacilitatorException("the facilitator's /" + path + " answer is not a JSON object", false,
                        null);
            }
            return v.asJsonObject();
        } catch (JsonException | IllegalStateException e) {
            throw new FacilitatorException("the facilitator's /" + path + " answer (status " + response.statusCode()
                    + ") is not JSON", false, e);
        }
    }

    @Override
    public String toString() {
        return "facilitator " + redactedBases() + (authHeaders.isEmpty() ? "" : " (with authentication headers)");
    }
}
