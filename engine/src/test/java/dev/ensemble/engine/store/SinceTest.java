package dev.ensemble.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SinceTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest
    @CsvSource({
            "90s, 2026-11-21T11:58:30Z",
            "30m, 2026-11-21T11:30:00Z",
            "24h, 2026-11-20T12:00:00Z",
            "7d, 2026-11-14T12:00:00Z",
            "2w, 2026-11-07T12:00:00Z",
            "' 24h ', 2026-11-20T12:00:00Z",
            "0m, 2026-11-21T12:00:00Z",
            "2026-11-01, 2026-11-01T00:00:00Z",
            "2026-11-01T09:30:00Z, 2026-11-01T09:30:00Z",
            "2026-11-01T09:30:00.250Z, 2026-11-01T09:30:00.250Z",
            "2026-11-01T09:30:00+02:00, 2026-11-01T07:30:00Z",
    })
    void readsDurationsDatesAndInstants(String text, String expected) {
        assertThat(Since.parse(text, CLOCK)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "24", "h", "-5m", "5y", "1.5h", "24H", "2026-13-01", "2026-11-01T09:30:00",
            "2026/11/01", "9999999999d"})
    void rejectsAnythingElseNamingTheAcceptedForms(String text) {
        assertThatThrownBy(() -> Since.parse(text, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read --since '" + text.strip() + "'")
                .hasMessageContaining("24h")
                .hasMessageContaining("2026-11-01");
    }

    @Test
    void nullIsRejectedLikeEmptyText() {
        assertThatThrownBy(() -> Since.parse(null, CLOCK)).isInstanceOf(IllegalArgumentException.class);
    }
}
