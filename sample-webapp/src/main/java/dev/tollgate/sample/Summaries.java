package dev.tollgate.sample;

import dev.tollgate.Money;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The made-up summaries of {@code /api/summaries} and {@code /rest/summaries}, and what one costs:
 * 1 credit per started 100 words, at least 1, at most the 10 credits held (1,000 words).
 */
public final class Summaries {

    /** The most a summary costs: what {@code @RequiresPayment} holds. */
    public static final String MAXIMUM = "10";
    /** The longest summary, so that its cost never exceeds {@link #MAXIMUM}. */
    public static final int MAX_WORDS = 1000;
    /** The length when {@code ?words=} is absent. */
    public static final int DEFAULT_WORDS = 100;
    private static final String[] WORDS = {"revenue", "grew", "while", "costs", "fell", "and", "the", "outlook",
        "stays", "steady"};

    private Summaries() {
    }

    /**
     * Parses {@code ?words=}.
     *
     * @param words the parameter, or {@code null}
     * @return the number of words, or -1 when it is not a whole number from 1 to {@value #MAX_WORDS}
     */
    public static int words(String words) {
        if (words == null) {
            return DEFAULT_WORDS;
        }
        if (!words.matches("[0-9]{1,4}")) {
            return -1;
        }
        int n = Integer.parseInt(words);
        return n >= 1 && n <= MAX_WORDS ? n : -1;
    }

    /** {@return the price of a summary of {@code words} words: 1 credit per started 100, at least 1} */
    public static Money cost(int words) {
        return Money.credits(Integer.toString(Math.max(1, (words + 99) / 100)));
    }

    /** {@return the summary of a document, {@code words} words long, with its cost} */
    public static Map<String, Object> summary(String id, int words) {
        StringBuilder text = new StringBuilder(words * 8);
        for (int i = 0; i < words; i++) {
            text.append(i == 0 ? "" : " ").append(WORDS[i % WORDS.length]);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("words", words);
        body.put("cost", cost(words).amount());
        body.put("summary", text.toString());
        return body;
    }
}
