package dev.glia.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads typed fields from a request body as pydantic (lax mode) validates vLLM's request models: integers from
 * integral numbers or numeric strings, numbers from numbers or numeric strings, JSON null as absent. Every
 * mismatch is collected in pydantic's repr, so one 400 lists them all, as vLLM's does.
 */
final class Fields {
    private final JsonNode body;
    private final String prefix;
    private final List<String> errors;

    Fields(JsonNode body) {
        this(body, null, new ArrayList<>());
    }

    /** The fields of a nested object, e.g. {@code stream_options}; its errors are reported with the body's. */
    Fields nested(String name) {
        return new Fields(body.path(name), location(name), errors);
    }

    private Fields(JsonNode body, String prefix, List<String> errors) {
        this.body = body;
        this.prefix = prefix;
        this.errors = errors;
    }

    String string(String name) {
        JsonNode v = body.path(name);
        if (absent(v)) {
            return null;
        }
        if (!v.isTextual()) {
            error("string_type", name, "Input should be a valid string", v);
            return null;
        }
        return v.asText();
    }

    Boolean bool(String name) {
        JsonNode v = body.path(name);
        if (absent(v)) {
            return null;
        }
        if (!v.isBoolean()) {
            error("bool_type", name, "Input should be a valid boolean", v);
            return null;
        }
        return v.asBoolean();
    }

    Integer integer(String name) {
        JsonNode v = body.path(name);
        if (absent(v)) {
            return null;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.asInt();
        }
        if (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < Integer.MAX_VALUE) {
            return (int) v.asDouble();
        }
        if (v.isFloatingPointNumber()) {
            error("int_from_float", name, "Input should be a valid integer, got a number with a fractional part", v);
        } else if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().trim());
            } catch (NumberFormatException e) {
                error("int_parsing", name, "Input should be a valid integer, unable to parse string as an integer", v);
            }
        } else {
            error("int_type", name, "Input should be a valid integer", v);
        }
        return null;
    }

    Double number(String name) {
        JsonNode v = body.path(name);
        if (absent(v)) {
            return null;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                error("float_parsing", name, "Input should be a valid number, unable to parse string as a number", v);
            }
        } else {
            error("float_type", name, "Input should be a valid number", v);
        }
        return null;
    }

    /** A model validator's ValueError, as pydantic reports it (the whole body as its location). */
    void valueError(String message) {
        errors.add("{'type': 'value_error', 'loc': ('body',), 'msg': 'Value error, " + message + "', 'input': "
                + repr(body) + "}");
    }

    /** An error at field {@code name} of this object. */
    void error(String type, String name, String msg, JsonNode input) {
        errorAt(type, location(name), msg, input);
    }

    /** An error at {@code loc}: pydantic's location tuple after {@code 'body'}, e.g. {@code 'messages', 0, 'role'}. */
    void errorAt(String type, String loc, String msg, JsonNode input) {
        errors.add("{'type': '" + type + "', 'loc': ('body', " + loc + "), 'msg': '" + msg + "', 'input': "
                + repr(input) + "}");
    }

    private String location(String name) {
        return (prefix != null ? prefix + ", " : "") + "'" + name + "'";
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw ApiError.validation(errors);
        }
    }

    private static boolean absent(JsonNode v) {
        return v.isMissingNode() || v.isNull();
    }

    /** A JSON value as Python's repr writes the dict pydantic was given. */
    static String repr(JsonNode v) {
        if (v.isTextual()) {
            return "'" + v.asText().replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? "True" : "False";
        }
        if (v.isNull() || v.isMissingNode()) {
            return "None";
        }
        if (v.isObject()) {
            StringBuilder s = new StringBuilder("{");
            v.fields().forEachRemaining(e -> s.append(s.length() > 1 ? ", " : "").append("'").append(e.getKey())
                    .append("': ").append(repr(e.getValue())));
            return s.append("}").toString();
        }
        if (v.isArray()) {
            StringBuilder s = new StringBuilder("[");
            v.forEach(e -> s.append(s.length() > 1 ? ", " : "").append(repr(e)));
            return s.append("]").toString();
        }
        return v.toString();
    }
}
