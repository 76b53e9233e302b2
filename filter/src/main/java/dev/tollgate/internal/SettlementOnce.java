package dev.tollgate.internal;

import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Answer;
import dev.tollgate.engine.Settled;
import dev.tollgate.engine.Ticket;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.payment.Committed;
import dev.tollgate.spi.payment.Offer;
import dev.tollgate.spi.payment.PaymentScheme;
import dev.tollgate.spi.payment.Terms;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * The one implementation of exactly-once settlement, behind every adapter's {@link Ticket}: the
 * first of settle, release and abandon takes the hold, through the payment scheme that made it; the
 * rate limits hear the outcome once.
 * Thread-safe (atomic flags; the ledger calls may block).
 */
final class SettlementOnce implements Ticket {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");
    private static final VarHandle SETTLED;
    private static final VarHandle LIMIT_SETTLED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SETTLED = lookup.findVarHandle(SettlementOnce.class, "settled", boolean.class);
            LIMIT_SETTLED = lookup.findVarHandle(SettlementOnce.class, "limitSettled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Parts parts;
    private final HttpServletRequest request;
    /** The payment scheme that made the hold, what it commits or releases, and the terms (for a decline). */
    private final PaymentScheme<Object, Object> scheme;
    private final Object handle;
    private final Terms terms;
    /** The endpoint's policy, which names it in events; {@code null} for a free call. */
    private final Policy policy;
    private final Hold hold;
    private final RateLimitDecision limit;
    private final Payer payer;
    private final Money balance;
    private final boolean replayable;
    private final byte[] body;
    private final List<Map.Entry<String, String>> headers;
    // Flags set once by compare-and-set through the handles below: one object per request, not three.
    private volatile boolean settled;
    private volatile boolean limitSettled;
    private volatile boolean releasedEarly;
    private volatile boolean replaced;
    /** The amount a metered call's endpoint sets, or {@code null} for a fixed price. */
    private volatile MeterReading meter;

    /** What every ticket of one engine shares; {@code events} is {@code null} when nobody listens. */
    record Parts(TollgateConfig config, RateLimitStep limits, AnswerRenderer answers, EventSink events) {
    }

    /**
     * A ticket; for a free call {@code scheme}, {@code handle}, {@code terms} and {@code hold} are
     * {@code null}. The paid call's parts are fields of the ticket (not an object of their own), so
     * a paid request allocates one object fewer.
     *
     * @param scheme the payment scheme that handles the call
     * @param handle what the scheme commits or releases
     * @param terms what the endpoint costs
     * @param policy the endpoint's policy, which names it in events
     * @param headers those for the endpoint's response, or {@code null} when they went to it directly
     */
    SettlementOnce(Parts parts, HttpServletRequest request, PaymentScheme<Object, Object> scheme, Object handle,
                   Terms terms, Policy policy, Hold hold, RateLimitDecision limit, Payer payer, Money balance,
                   boolean replayable, byte[] body, List<Map.Entry<String, String>> headers) {
        this.parts = parts;
        this.request = request;
        this.scheme = scheme;
        this.handle = handle;
        this.terms = terms;
        this.policy = policy;
        this.hold = hold;
        this.limit = limit;
        this.payer = payer;
        this.balance = balance;
        this.replayable = replayable;
        this.body = body;
        this.headers = headers == null || headers.isEmpty() ? List.of() : List.copyOf(headers);
    }

    /**
     * Makes this paid call metered: its endpoint may set the actual amount, through the
     * {@link dev.tollgate.Metering} this puts on the request.
     *
     * @return this ticket
     */
    SettlementOnce metered() {
        MeterReading m = new MeterReading(hold);
        meter = m;
        request.setAttribute(dev.tollgate.Metering.ATTRIBUTE, m);
        return this;
    }

    @Override
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    @Override
    public boolean isPaid() {
        return hold != null;
    }

    /** {@return the payer, or {@code null}: {@link #payer()} without an {@code Optional} per request} */
    Payer payerOrNull() {
        return payer;
    }

    @Override
    public Optional<Payer> payer() {
        return Optional.ofNullable(payer);
    }

    @Override
    public Hold hold() {
        return hold;
    }

    @Override
    public Money balance() {
        return balance;
    }

    @Override
    public boolean isReplayable() {
        return replayable;
    }

    @Override
    public byte[] requestBody() {
        return body;
    }

    /** {@return the rate-limit decision, or {@code null}} */
    RateLimitDecision limit() {
        return limit;
    }

    /** {@return whether a settlement replaced the endpoint's response} */
    boolean wasReplaced() {
        return replaced;
    }

    /** {@return whether the hold was committed or released already} */
    boolean decided() {
        return settled;
    }

    /** {@return whether the hold was released by {@link #abandon} (a timeout or error)} */
    boolean releasedEarly() {
        return releasedEarly;
    }

    @Override
    public boolean isBillable(int status) {
        return parts.config().isBillable(status);
    }

    @Override
    public Settled settle(int status, Supplier<RecordedResponse> recorder, boolean canReplace) {
        if (hold == null) {
            return Settled.deliver();
        }
        if (!isBillable(status)) {
            release(TollgateEvent.Released.Reason.NOT_BILLABLE, "status " + status);
            return Settled.deliver();
        }
        if (SETTLED.compareAndSet(this, false, true)) {
            RecordedResponse recorded = replayable ? recorder.get() : null;
            MeterReading m = meter;
            Money actual = m == null ? null : m.close();
            EventSink events = parts.events();
            if (events != null) {
                return told(events, commit(recorded, actual, canReplace, events), actual, canReplace);
            }
            return outcome(commit(recorded, actual, canReplace, null), canReplace);
        }
        if (releasedEarly) {
            // An async timeout or error released the hold, then the application completed with a
            // billable response anyway: do not deliver it unpaid.
            return refuse(canReplace, Refusals.TIMED_OUT);
        }
        return replaced ? Settled.replaced() : Settled.deliver();
    }

    /** Commits through the payment scheme; a failure is an unknown outcome. */
    private Committed commit(RecordedResponse recorded, Money actual, boolean canReplace, EventSink events) {
        long start = events == null ? 0 : System.nanoTime();
        try {
            Committed committed = actual == null ? scheme.commit(handle, recorded, canReplace)
                    : scheme.commit(handle, actual, recorded, canReplace);
            if (committed == null) {
                throw new IllegalStateException("commit returned null");
            }
            if (events != null) {
                events.ledgerCall(scheme.name(), TollgateEvent.Operation.COMMIT, start, false);
            }
            return committed;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Payment scheme " + scheme.name() + " failed to commit"
                    + " hold " + hold.id() + "; the outcome is unknown", e);
            if (events != null) {
                events.ledgerCall(scheme.name(), TollgateEvent.Operation.COMMIT, start, true);
                events.ledgerFailed(scheme.name(), TollgateEvent.Operation.COMMIT, e);
            }
            return new Committed.Unknown(Refusals.COMMIT_FAILED);
        }
    }

    /** What the adapter does after a commit. */
    private Settled outcome(Committed committed, boolean canReplace) {
        if (committed instanceof Committed.Paid p) {
            return p.evidence().isEmpty() ? Settled.deliver() : new Settled.Deliver(p.evidence());
        } else if (committed instanceof Committed.Declined declined) {
            return decline(canReplace, declined);
        }
        return refuse(canReplace, ((Committed.Unknown) committed).detail());
    }

    /** {@link #outcome}, told to the listeners: charged, or released because the charge failed. */
    private Settled told(EventSink events, Committed committed, Money actual, boolean canReplace) {
        Settled settled = outcome(committed, canReplace);
        if (committed instanceof Committed.Paid) {
            events.emit(new TollgateEvent.Charged(events.now(), policy.servletName(), policy.method(), scheme.name(),
                    hold.account(), actual != null ? actual : hold.amount(), hold.id()));
        } else {
            events.released(policy, scheme.name(), hold, TollgateEvent.Released.Reason.CHARGE_FAILED,
                    committed instanceof Committed.Declined d ? "declined: " + d.detail()
                            : ((Committed.Unknown) committed).detail());
        }
        return settled;
    }

    /** Replaces the unpaid result with a 503 if nothing has reached the client yet. */
    private Settled refuse(boolean canReplace, String detail) {
        if (canReplace) {
            replaced = true;
            Answer answer = parts.answers().render(
                    Refusals.settlementFailed(detail, parts.config().ledgerRetryAfter()), request, limit);
            return new Settled.Replace(answer);
        }
        LOG.log(System.Logger.Level.ERROR, "Hold {0}: the response had already been sent when the charge"
                + " failed; it was delivered uncharged", hold.id());
        return Settled.DeliveredUncharged.INSTANCE;
    }

    /** Replaces the response with the scheme's 402 if nothing has reached the client yet. */
    private Settled decline(boolean canReplace, Committed.Declined declined) {
        if (canReplace) {
            replaced = true;
            Offer offer = PaymentSchemes.offer(scheme, terms);
            List<Map.Entry<String, String>> headers = new ArrayList<>(offer.headers());
            headers.addAll(declined.headers());
            Answer answer = parts.answers().render(
                    Refusals.paymentDeclined(declined.detail(), terms, offer.options())
                            .withMembers(offer.members()), request, limit, headers);
            return new Settled.Replace(answer);
        }
        LOG.log(System.Logger.Level.ERROR, "Hold {0}: the response had already been sent when the payment was"
                + " declined; it was delivered uncharged", hold.id());
        return Settled.DeliveredUncharged.INSTANCE;
    }

    @Override
    public void release(String why) {
        release(TollgateEvent.Released.Reason.FAILED, why);
    }

    /** Releases the hold, if nothing settled it yet, and tells the listeners why. */
    private void release(TollgateEvent.Released.Reason reason, String why) {
        if (hold != null && SETTLED.compareAndSet(this, false, true)) {
            MeterReading m = meter;
            if (m != null) {
                m.close();
            }
            EventSink events = parts.events();
            long start = events == null ? 0 : System.nanoTime();
            boolean failed = false;
            try {
                scheme.release(handle, why);
            } catch (RuntimeException e) {
                failed = true;
                LOG.log(System.Logger.Level.ERROR, "Payment scheme " + scheme.name() + " failed to release"
                        + " hold " + hold.id(), e);
                if (events != null) {
                    events.ledgerFailed(scheme.name(), TollgateEvent.Operation.RELEASE, e);
                }
            }
            if (events != null) {
                events.ledgerCall(scheme.name(), TollgateEvent.Operation.RELEASE, start, failed);
                events.released(policy, scheme.name(), hold, reason, why);
            }
        }
    }

    @Override
    public void abandon(String why) {
        releasedEarly = true;
        release(TollgateEvent.Released.Reason.ABANDONED, why);
        finish(false);
    }

    @Override
    public void finish(boolean succeeded) {
        if (limit != null && LIMIT_SETTLED.compareAndSet(this, false, true)) {
            parts.limits().settle(limit, succeeded);
        }
    }
}
