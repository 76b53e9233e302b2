package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.usage.alerts.BalanceAlerts;
import dev.tollgate.usage.alerts.CrossingStore;
import dev.tollgate.usage.alerts.PostgresCrossingStore;
import dev.tollgate.usage.alerts.WebhookDelivery;
import dev.tollgate.usage.alerts.WebhookSigner;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/usage-export.md stays true to the code: the names it gives and the event it shows. */
class UsageExportDocTest {

    private static String doc() throws IOException {
        return Files.readString(Path.of("..", "docs", "usage-export.md"));
    }

    @Test
    void namesWhatTheCodeSends() throws IOException {
        String doc = doc();
        for (String name : List.of(CloudEvents.CHARGED, CloudEvents.REVERSED, CloudEvents.CONTENT_TYPE,
                CloudEvents.BATCH_CONTENT_TYPE, WebhookSigner.HEADER, WebhookDelivery.ID_HEADER,
                BalanceAlerts.LOW_BALANCE, "usage_export_cursors", "UsageRecorder", "ThresholdWatch",
                "alert_crossing_states", "key_sha256", PostgresCrossingStore.class.getSimpleName(), CrossingStore.class.getSimpleName(),
                "AlertsAcrossNodesTest", BalanceAlerts.ALLOWANCE_USED_UP, "allowanceUsedUp",
                "AllowanceAlertsAcrossNodesTest")) {
            assertTrue(doc.contains(name), "docs/usage-export.md does not mention " + name);
        }
    }

    @Test
    void theEventShownIsTheEventSent() throws IOException {
        UsageRecord r = new UsageRecord("entry-42", UsageRecord.Kind.CHARGE, "acme", new BigDecimal("5"), "credits",
                "GET reports", "17", Instant.parse("2026-12-01T17:00:00.123Z"));
        String sent = new CloudEvents(URI.create("urn:tollgate:pg.tollgate")).event(r);
        String shown = doc().replaceAll("\\s*\\n\\s*", "");
        assertTrue(shown.contains(sent), "docs/usage-export.md shows another event than " + sent);
        assertTrue(doc().contains(UsageCursor.of("pg.tollgate", 42).token()), "the cursor example");
    }
}
