package dev.ensemble.gateway.wire;

/** A client request the wire does not allow; {@code field} is its JSON path ("messages[2].content"). */
public final class BadRequest extends RuntimeException {
    private final String field;

    public BadRequest(String field, String problem) {
        super(field.isEmpty() ? problem : field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
