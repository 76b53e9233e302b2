package dev.tollgate.internal;

import dev.tollgate.Metering;
import dev.tollgate.Money;
import dev.tollgate.spi.Hold;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link Metering} of one metered call: the amount its endpoint sets, until settlement reads
 * it and closes it. Thread-safe (one lock; settlement and the endpoint may run on different
 * threads).
 */
final class MeterReading implements Metering {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private final Hold hold;
    private Money actual; // guarded by this
    private boolean closed; // guarded by this

    MeterReading(Hold hold) {
        this.hold = hold;
    }

    @Override
    public Money reserved() {
        return hold.amount();
    }

    @Override
    public synchronized Optional<Money> actual() {
        return Optional.ofNullable(actual);
    }

    @Override
    public boolean charge(Money amount) {
        Objects.requireNonNull(amount, "actual");
        hold.remainderAfter(amount); // more than the maximum, or another unit: a programming error
        synchronized (this) {
            if (!closed) {
                actual = amount;
                return true;
            }
        }
        LOG.log(System.Logger.Level.WARNING, "Hold {0}: the actual amount {1} was set after the call was settled"
                + " (its response had started to leave); ignored", hold.id(), amount);
        return false;
    }

    /**
     * Closes the reading: later amounts are ignored.
     *
     * @return the amount to charge, or {@code null} for the whole hold
     */
    synchronized Money close() {
        closed = true;
        return actual;
    }
}
