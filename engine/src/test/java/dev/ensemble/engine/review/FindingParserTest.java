package dev.ensemble.engine.review;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FindingParserTest {
    static final Set<String> FILES = Set.of("src/main/A.java", "README.md");

    private static ParsedAnswer.Findings ok(String answer) {
        ParsedAnswer parsed = FindingParser.parse(answer, "m1", FILES);
        assertThat(parsed).isInstanceOf(ParsedAnswer.Findings.class);
        return (ParsedAnswer.Findings) parsed;
    }

    @Test
    void aPlainArray() {
        ParsedAnswer.Findings f = ok("""
                [{"severity":"HIGH","file":"src/main/A.java","line":12,"end_line":14,"description":"NPE","recommendation":"check null"}]""");
        assertThat(f.findings()).containsExactly(new Finding(Severity.HIGH, "src/main/A.java", 12, 14, "NPE", "check null", List.of("m1")));
        assertThat(f.dropped()).isEmpty();
    }

    @Test
    void aFencedArrayInProseWithOtherNamesForFields() {
        ParsedAnswer.Findings f = ok("""
                Here is my review.
                ```json
                [{"level":"major","path":"./src/main/A.java","lines":"3-5","issue":"leak","fix":"close it"}]
                ```
                Verdict: [request changes]""");
        assertThat(f.findings()).containsExactly(new Finding(Severity.HIGH, "src/main/A.java", 3, 5, "leak", "close it", List.of("m1")));
    }

    @Test
    void anArrayFollowedByBracketedProseAndAnObjectWrapper() {
        assertThat(ok("Findings: [{\"severity\":\"low\",\"file\":\"README.md\",\"line\":1,\"description\":\"typo\"}] and [that is all]")
                .findings()).hasSize(1);
        assertThat(ok("{\"findings\": [{\"severity\":\"Critical\",\"file\":\"A.java\",\"line\":\"7\",\"description\":\"SQL injection\"}]}")
                .findings()).extracting(Finding::severity, Finding::file, Finding::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Severity.CRITICAL, "src/main/A.java", 7));
        assertThat(ok("[]").findings()).isEmpty();
    }

    @Test
    void findingsOnFilesOutsideTheDiffOrWithoutSenseAreDroppedAndSaidSo() {
        ParsedAnswer.Findings f = ok("""
                [{"severity":"HIGH","file":"src/Other.java","line":1,"description":"not here"},
                 {"severity":"urgent-ish","file":"README.md","line":1,"description":"odd severity"},
                 {"severity":"LOW","file":"README.md","line":2},
                 "just text",
                 {"severity":"LOW","file":"README.md","line":2,"description":"kept"}]""");
        assertThat(f.findings()).extracting(Finding::description).containsExactly("kept");
        assertThat(f.dropped()).hasSize(4);
        assertThat(f.dropped().getFirst()).contains("m1").contains("src/Other.java").contains("not in the diff");
    }

    @Test
    void malformedAnswersAreReportedNotThrown() {
        assertThat(FindingParser.parse("", "m1", FILES)).isInstanceOf(ParsedAnswer.Malformed.class);
        assertThat(FindingParser.parse("Looks good to me!", "m1", FILES)).isInstanceOf(ParsedAnswer.Malformed.class);
        assertThat(FindingParser.parse("[{\"severity\": \"HIGH\", ", "m1", FILES)).isInstanceOf(ParsedAnswer.Malformed.class);
        assertThat(FindingParser.parse("{\"verdict\":\"approve\"}", "m1", FILES)).isInstanceOf(ParsedAnswer.Malformed.class);
        assertThat(FindingParser.parse("42", "m1", FILES)).isInstanceOf(ParsedAnswer.Malformed.class);
    }

    @Test
    void anAmbiguousSuffixIsNotGuessed() {
        assertThat(FindingParser.matchFile("A.java", Set.of("x/A.java", "y/A.java"))).isEmpty();
        assertThat(FindingParser.matchFile("b/x/A.java", Set.of("x/A.java", "y/A.java"))).contains("x/A.java");
    }
}
