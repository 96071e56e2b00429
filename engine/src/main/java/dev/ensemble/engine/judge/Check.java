package dev.ensemble.engine.judge;

import java.util.Objects;

/** One thing the judge checked: its name ("specs", "tests", "review"...), whether it held, and why. */
public record Check(String name, boolean passed, String detail) {
    public Check {
        Objects.requireNonNull(name, "name");
        detail = detail == null ? "" : detail;
    }

    public static Check pass(String name, String detail) {
        return new Check(name, true, detail);
    }

    public static Check fail(String name, String detail) {
        return new Check(name, false, detail);
    }
}
