package dev.tollgate.usage;

import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateListener;
import java.util.Objects;

/**
 * Feeds a {@link MemoryUsageLog} from Tollgate's events: every {@link TollgateEvent.Charged} becomes a
 * {@link UsageRecord.Kind#CHARGE} record (resource {@code "<method> <endpoint>"}). Works with every payment
 * scheme, not only the ledger's accounts. Fast and non-blocking (one short lock), so it may be registered
 * directly. Thread-safe.
 *
 * <pre>{@code
 * MemoryUsageLog usage = MemoryUsageLog.create();
 * TollgateConfig.builder().eventListener(new UsageRecorder(usage));
 * }</pre>
 */
public final class UsageRecorder implements TollgateListener {

    private final MemoryUsageLog log;

    /**
     * @param log where charges are appended
     */
    public UsageRecorder(MemoryUsageLog log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public void onEvent(TollgateEvent event) {
        if (event instanceof TollgateEvent.Charged c) {
            log.append(c.account(), c.amount(), c.method() + " " + c.endpoint(), c.holdId());
        }
    }

    /** {@return the log this recorder appends to} */
    public MemoryUsageLog log() {
        return log;
    }
}
