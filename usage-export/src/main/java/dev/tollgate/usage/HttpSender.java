package dev.tollgate.usage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Sends one HTTP POST and returns the status: how {@link UsagePush} and the alert webhooks reach a receiver.
 * Implementations are thread-safe and bounded in time (the default: 5 s to connect, 10 s per request).
 */
@FunctionalInterface
public interface HttpSender {

    /**
     * Posts a body.
     *
     * @param target where to
     * @param headers the request headers, {@code Content-Type} among them
     * @param body the body
     * @return the response status
     * @throws IOException if no status was received (connection refused, timeout, …)
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    int post(URI target, Map<String, String> headers, byte[] body) throws IOException, InterruptedException;

    /** {@return a sender over the JDK's HTTP client: no redirects, 5 s to connect, 10 s per request} */
    static HttpSender jdk() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return (target, headers, body) -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(b::header);
            return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        };
    }
}
