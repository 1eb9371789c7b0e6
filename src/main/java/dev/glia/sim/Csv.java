package dev.glia.sim;

/** Fast, locale-free, deterministic number formatting for the CSV logs. */
final class Csv {
    private static final long[] POW10 = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

    private Csv() {
    }

    /** Appends v with a fixed number of decimals (at most 8); NaN becomes an empty field. */
    static StringBuilder fixed(StringBuilder out, double v, int decimals) {
        if (Double.isNaN(v)) {
            return out;
        }
        if (Double.isInfinite(v) || Math.abs(v) >= 9e9) {
            return out.append(v);
        }
        long scale = POW10[decimals];
        long scaled = Math.round(v * scale);
        if (scaled < 0) {
            out.append('-');
            scaled = -scaled;
        }
        out.append(scaled / scale);
        if (decimals > 0) {
            out.append('.');
            String frac = Long.toString(scaled % scale);
            for (int i = frac.length(); i < decimals; i++) {
                out.append('0');
            }
            out.append(frac);
        }
        return out;
    }
}
