package dev.glia.policy.sandbox;

/**
 * Text a policy supplied (an exception's message, a parameter's description, a class name), made
 * safe to print: control characters (terminal escapes, newlines that would forge output lines)
 * become visible escapes, and the length is capped.
 */
public final class Printable {
    public static final int LIMIT = 500;

    private Printable() {
    }

    public static String of(String text) {
        return of(text, LIMIT);
    }

    public static String of(String text, int limit) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), limit) + 16);
        for (int i = 0; i < text.length(); i++) {
            if (out.length() >= limit) {
                return out.append("… (").append(text.length()).append(" characters)").toString();
            }
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
