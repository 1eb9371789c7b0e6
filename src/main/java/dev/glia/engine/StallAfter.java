package dev.glia.engine;

/** Fault injection {@code --stall-after N:SECONDS}: when the N-th request is admitted, the engine stops making progress for SECONDS. */
public record StallAfter(int requests, double seconds) {
    public StallAfter {
        if (requests < 1) {
            throw new IllegalArgumentException("--stall-after N:SECONDS needs N >= 1, got " + requests);
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("--stall-after N:SECONDS needs SECONDS > 0, got " + seconds);
        }
    }

    /** {@code N:SECONDS}, e.g. {@code 100:5} or {@code 100:2.5}. */
    public static StallAfter parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("--stall-after takes N:SECONDS (e.g. 100:5: stall 5 s when the 100th"
                    + " request arrives), got '" + text + "'");
        }
        try {
            return new StallAfter(Integer.parseInt(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--stall-after takes N:SECONDS with N an integer and SECONDS a number"
                    + " (e.g. 100:5), got '" + text + "'");
        }
    }
}
