package dev.glia.operator;

/**
 * The research report (Markdown) as the ConfigMap {@code <policy>-report} holds it, key {@code report.md}: whole when
 * it fits in {@link #LIMIT} characters, else its head with a last line that says so and where the whole one lies. One
 * rule for both ways research runs: an in-process session's report file and a research Job's {@code report} field.
 */
final class ResearchReport {
    /** The most report text a ConfigMap takes here (the API server refuses objects over 1 MiB). */
    static final int LIMIT = 900_000;
    /** The ConfigMap's key. */
    static final String KEY = "report.md";

    private ResearchReport() {
    }

    /** The ConfigMap of the report of {@code policy}. */
    static String configMapName(String policy) {
        return policy + "-report";
    }

    /**
     * {@code text} as the ConfigMap holds it; null when there is none.
     *
     * @param whole where the whole report lies, for the last line of a shortened one
     */
    static String fit(String text, String whole) {
        if (text == null || text.length() <= LIMIT) {
            return text;
        }
        return text.substring(0, LIMIT - 400) + "\n\n---\n*Report shortened to fit a ConfigMap: " + (LIMIT - 400)
                + " of " + text.length() + " characters kept. The whole report is " + whole + ".*\n";
    }
}
