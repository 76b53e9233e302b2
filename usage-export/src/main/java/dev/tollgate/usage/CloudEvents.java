package dev.tollgate.usage;

import dev.tollgate.usage.internal.JsonText;
import java.net.URI;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * Usage records as CloudEvents 1.0 in the JSON event format (structured content mode). Immutable and
 * thread-safe.
 *
 * <p>One record becomes:
 * <pre>{@code
 * {"specversion":"1.0","id":"entry-42","source":"urn:tollgate:pg.tollgate","type":"dev.tollgate.usage.charged",
 *  "subject":"acme","time":"2026-12-01T17:00:00.123Z","datacontenttype":"application/json",
 *  "data":{"account":"acme","amount":"5","currency":"credits","resource":"GET reports","hold":"17"}}
 * }</pre>
 * {@code type} is {@value #CHARGED} or {@value #REVERSED}; {@code id} is the record's stable id, so a resend is
 * recognisable; {@code subject} is the account; the amount is a decimal string (exact, never a binary
 * floating-point number).
 */
public final class CloudEvents {

    /** The media type of one event in structured mode. */
    public static final String CONTENT_TYPE = "application/cloudevents+json";
    /** The media type of a batch (a JSON array of events). */
    public static final String BATCH_CONTENT_TYPE = "application/cloudevents-batch+json";
    /** The event type of a charge. */
    public static final String CHARGED = "dev.tollgate.usage.charged";
    /** The event type of a reversal. */
    public static final String REVERSED = "dev.tollgate.usage.reversed";

    private final String source;

    /**
     * @param source the CloudEvents {@code source} of every event (a URI reference such as
     *     {@code urn:tollgate:pg.tollgate}); {@code source} + {@code id} is unique
     */
    public CloudEvents(URI source) {
        this.source = Objects.requireNonNull(source, "source").toString();
        if (this.source.isEmpty()) {
            throw new IllegalArgumentException("a CloudEvents source is not empty");
        }
    }

    /** {@return the source of the events} */
    public String source() {
        return source;
    }

    /**
     * {@return one record as a structured-mode event}
     *
     * @param r the record
     */
    public String event(UsageRecord r) {
        return append(new StringBuilder(320), r).toString();
    }

    /**
     * {@return records as a batch: a JSON array of events, in order}
     *
     * @param records the records
     */
    public String batch(List<UsageRecord> records) {
        StringBuilder out = new StringBuilder(320 * records.size() + 2).append('[');
        for (int i = 0; i < records.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            append(out, records.get(i));
        }
        return out.append(']').toString();
    }

    private StringBuilder append(StringBuilder out, UsageRecord r) {
        out.append('{');
        JsonText.member(out, "specversion", "1.0").append(',');
        JsonText.member(out, "id", r.id()).append(',');
        JsonText.member(out, "source", source).append(',');
        JsonText.member(out, "type", r.kind() == UsageRecord.Kind.CHARGE ? CHARGED : REVERSED).append(',');
        JsonText.member(out, "subject", r.account()).append(',');
        JsonText.member(out, "time", DateTimeFormatter.ISO_INSTANT.format(r.at())).append(',');
        JsonText.member(out, "datacontenttype", "application/json").append(',');
        JsonText.quote(out, "data").append(":{");
        JsonText.member(out, "account", r.account()).append(',');
        JsonText.member(out, "amount", r.amount().toPlainString()).append(',');
        JsonText.member(out, "currency", r.currency()).append(',');
        JsonText.member(out, "resource", r.resource()).append(',');
        JsonText.member(out, "hold", r.holdId());
        return out.append("}}");
    }
}
