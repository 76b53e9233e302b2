package dev.tollgate.sample;

import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the operator dashboard charts that is not usage: calls, charges and refusals per minute over the last
 * hour, per endpoint since start, and the rate-limit pressure of the last minute. Fed by Tollgate's events;
 * money is not counted here (revenue comes from the usage log, exactly). Memory is bounded: 60 minutes, and
 * per endpoint (the sample's endpoints are few and fixed) a handful of counters; refusal reasons are the
 * closed set of problem types. Thread-safe: each event takes one short lock.
 */
final class DashboardStats implements TollgateListener {

    /** Minutes kept. */
    static final int MINUTES = 60;
    /** Endpoints tracked at most (more are counted under {@code "(other)"}). */
    static final int MAX_ENDPOINTS = 200;

    /** One minute's counts. */
    private static final class Minute {
        long start = Long.MIN_VALUE; // epoch minute
        long calls;
        long charged;
        long limited;
        final Map<String, Long> refused = new TreeMap<>();

        void reset(long minute) {
            start = minute;
            calls = 0;
            charged = 0;
            limited = 0;
            refused.clear();
        }
    }

    /** Counts of one endpoint. */
    private static final class Endpoint {
        long calls;
        long charged;
        long refused;
        long limited;
        final long[] limitedByMinute = new long[MINUTES];
        final long[] callsByMinute = new long[MINUTES];
        final long[] minuteOf = new long[MINUTES];
    }

    private final Clock clock;
    private final Minute[] minutes = new Minute[MINUTES]; // guarded by this
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>(); // guarded by this

    DashboardStats(Clock clock) {
        this.clock = clock;
        for (int i = 0; i < MINUTES; i++) {
            minutes[i] = new Minute();
        }
    }

    @Override
    public void onEvent(TollgateEvent event) {
        String endpoint;
        String kind;
        if (event instanceof TollgateEvent.Passed p) {
            if (AdminApplication.isOperatorPage(p.endpoint())) {
                return; // the operator's own pages (admin API, admin-metrics, admin-dashboard) are not API traffic
            }
            endpoint = p.endpoint();
            kind = "call";
        } else if (event instanceof TollgateEvent.Admitted a) {
            endpoint = a.endpoint();
            kind = "call";
        } else if (event instanceof TollgateEvent.Replayed r) {
            endpoint = r.endpoint();
            kind = "call";
        } else if (event instanceof TollgateEvent.Refused r) {
            endpoint = r.endpoint();
            kind = r.problemType();
        } else if (event instanceof TollgateEvent.Limited l) {
            endpoint = l.endpoint();
            kind = "limited";
        } else if (event instanceof TollgateEvent.Charged c) {
            endpoint = c.endpoint();
            kind = "charged";
        } else {
            return;
        }
        record(endpoint, kind, clock.instant());
    }

    private synchronized void record(String name, String kind, Instant at) {
        long minute = Math.floorDiv(at.getEpochSecond(), 60);
        Minute m = minutes[(int) Math.floorMod(minute, MINUTES)];
        if (m.start != minute) {
            m.reset(minute);
        }
        Endpoint e = endpoints.get(name);
        if (e == null) {
            e = endpoints.computeIfAbsent(endpoints.size() < MAX_ENDPOINTS ? name : "(other)", k -> new Endpoint());
        }
        int slot = (int) Math.floorMod(minute, MINUTES);
        if (e.minuteOf[slot] != minute) {
            e.minuteOf[slot] = minute;
            e.callsByMinute[slot] = 0;
            e.limitedByMinute[slot] = 0;
        }
        switch (kind) {
            case "call" -> {
                m.calls++;
                e.calls++;
                e.callsByMinute[slot]++;
            }
            case "charged" -> {
                m.charged++;
                e.charged++;
            }
            case "limited" -> {
                m.calls++;
                m.limited++;
                m.refused.merge("rate-limited", 1L, Long::sum);
                e.calls++;
                e.limited++;
                e.callsByMinute[slot]++;
                e.limitedByMinute[slot]++;
            }
            default -> {
                m.calls++;
                m.refused.merge(kind, 1L, Long::sum);
                e.calls++;
                e.refused++;
                e.callsByMinute[slot]++;
            }
        }
    }

    /** {@return the JSON the dashboard reads from {@code /admin/stats}} */
    synchronized Map<String, Object> snapshot() {
        Instant now = clock.instant();
        long current = Math.floorDiv(now.getEpochSecond(), 60);
        List<Map<String, Object>> series = new ArrayList<>();
        for (long minute = current - MINUTES + 1; minute <= current; minute++) {
            Minute m = minutes[(int) Math.floorMod(minute, MINUTES)];
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("t", Instant.ofEpochSecond(minute * 60).toString());
            boolean live = m.start == minute;
            row.put("calls", live ? m.calls : 0);
            row.put("charged", live ? m.charged : 0);
            row.put("limited", live ? m.limited : 0);
            row.put("refused", live ? new TreeMap<>(m.refused) : Map.of());
            series.add(row);
        }
        List<Map<String, Object>> perEndpoint = new ArrayList<>();
        List<Map<String, Object>> pressure = new ArrayList<>();
        endpoints.forEach((name, e) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("calls", e.calls);
            row.put("charged", e.charged);
            row.put("refused", e.refused);
            row.put("limited", e.limited);
            perEndpoint.add(row);
            int slot = (int) Math.floorMod(current, MINUTES);
            long calls = e.minuteOf[slot] == current ? e.callsByMinute[slot] : 0;
            long limited = e.minuteOf[slot] == current ? e.limitedByMinute[slot] : 0;
            if (calls > 0) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("endpoint", name);
                p.put("calls", calls);
                p.put("limited", limited);
                pressure.add(p);
            }
        });
        perEndpoint.sort(Comparator.comparingLong((Map<String, Object> r) -> (Long) r.get("calls")).reversed());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", now.toString());
        out.put("minutes", series);
        out.put("endpoints", perEndpoint);
        out.put("pressure", pressure);
        return out;
    }
}
