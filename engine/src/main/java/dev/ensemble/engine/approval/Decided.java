package dev.ensemble.engine.approval;

/**
 * What {@link Approvals#decide} did. Only the first answer to a pending approval is taken; any
 * other is refused with the reason, and the approval stays as the first answer left it. An API maps
 * these to 200, 409 and 404.
 */
public sealed interface Decided {
    /** This answer decided it. */
    record Taken(Approval approval) implements Decided {}

    /** It was already decided (or had expired): nothing changed. {@code approval} is how it stands. */
    record Refused(Approval approval, String reason) implements Decided {}

    /** No approval has that id in this store. */
    record NotFound(String id) implements Decided {
        public String reason() {
            return "no approval " + id + " (`ensemble approvals` lists them)";
        }
    }
}
