package dev.tollgate.sample;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** HTTP and JSON for the sample's integration tests that talk to one deployed WAR. Thread-safe. */
final class SampleHttp {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Jsonb JSONB = JsonbBuilder.create();

    private SampleHttp() {
    }

    /**
     * Sends a request to the deployment at {@code base}; a body is sent as {@code application/json}.
     *
     * @param headers name, value, name, value, …
     */
    static HttpResponse<String> send(URL base, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toExternalForm().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@return the JSON object of a response body} */
    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) {
        return JSONB.fromJson(r.body(), Map.class);
    }

    /**
     * {@return the id of the sample's account whose demo key is {@code key}: {@code acct_} and 24 hex
     * digits of the key's SHA-256, as {@code KeySecrets.legacyAccountId}} Computed here because the
     * containers' test class paths hold the WAR, not the filter JAR.
     *
     * @param key a demo key
     */
    static String accountIdOf(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "acct_" + java.util.HexFormat.of().formatHex(d).substring(0, 24);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
