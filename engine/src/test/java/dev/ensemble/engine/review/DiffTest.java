package dev.ensemble.engine.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.llm.TokenEstimator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiffTest {
    static final String TWO_FILES = """
            diff --git a/src/A.java b/src/A.java
            index 1111111..2222222 100644
            --- a/src/A.java
            +++ b/src/A.java
            @@ -1,3 +1,4 @@
             class A {
            +    int x;
                 void f() {}
             }
            @@ -20,2 +21,3 @@ class A {
             // tail
            +// more
             // end
            diff --git a/old.txt b/old.txt
            deleted file mode 100644
            index 3333333..0000000
            --- a/old.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -gone
            diff --git a/img.png b/img.png
            new file mode 100644
            index 0000000..4444444
            Binary files /dev/null and b/img.png differ
            """;

    @Test
    void readsEachFileWithItsPathHeaderAndHunks() {
        Diff diff = Diff.parse("changes since HEAD", TWO_FILES);
        assertThat(diff.paths()).containsExactly("src/A.java", "old.txt", "img.png");
        DiffFile a = diff.files().getFirst();
        assertThat(a.header()).startsWith("diff --git a/src/A.java").contains("+++ b/src/A.java");
        assertThat(a.hunks()).hasSize(2);
        assertThat(a.hunks().get(1).newStart()).isEqualTo(21);
        assertThat(a.hunks().get(1).oldStart()).isEqualTo(20);
        assertThat(diff.files().get(2).hunks()).isEmpty();
        // Nothing is lost: the parts put back together are the diff.
        assertThat(diff.text()).isEqualTo(TWO_FILES);
    }

    @Test
    void aDiffThatFitsIsOnePart() {
        Diff diff = Diff.parse("d", TWO_FILES);
        List<DiffChunk> chunks = diff.split(10_000);
        assertThat(chunks).hasSize(1);
        assertThat(chunks.getFirst().files()).containsExactly("src/A.java", "old.txt", "img.png");
        assertThat(chunks.getFirst().text()).isEqualTo(TWO_FILES);
    }

    @Test
    void bigFilesAreCutAlongFileThenHunkBoundariesEachPartRepeatingTheHeader() {
        StringBuilder unified = new StringBuilder();
        for (String name : List.of("one.txt", "two.txt")) {
            unified.append("diff --git a/").append(name).append(" b/").append(name).append("\n--- a/").append(name)
                    .append("\n+++ b/").append(name).append('\n');
            for (int h = 0; h < 3; h++) {
                unified.append("@@ -").append(h * 100 + 1).append(",0 +").append(h * 100 + 1).append(",30 @@\n");
                for (int i = 0; i < 30; i++) unified.append("+line ").append(name).append(' ').append(h).append(' ').append(i).append('\n');
            }
        }
        Diff diff = Diff.parse("d", unified.toString());
        int hunkTokens = TokenEstimator.count(diff.files().getFirst().hunks().getFirst().text());
        int budget = hunkTokens * 2 + 40;
        List<DiffChunk> chunks = diff.split(budget);
        assertThat(chunks).hasSizeGreaterThanOrEqualTo(4);
        for (DiffChunk chunk : chunks) {
            assertThat(TokenEstimator.count(chunk.text())).isLessThanOrEqualTo(budget);
            assertThat(chunk.files()).hasSize(1);
            assertThat(chunk.text()).startsWith("diff --git a/" + chunk.files().getFirst());
            assertThat(chunk.of()).isEqualTo(chunks.size());
        }
        // Every hunk is in exactly one part.
        String all = String.join("", chunks.stream().map(DiffChunk::text).toList());
        for (int h = 0; h < 3; h++) assertThat(all).containsOnlyOnce("+line one.txt " + h + " 29\n");
    }

    @Test
    void aHunkTooBigForAPartIsCutBetweenLinesWithTrueLineNumbers() {
        List<Diff.WholeFile> files = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (int i = 1; i <= 400; i++) content.append("value number ").append(i).append(" = compute(").append(i).append(");\n");
        files.add(new Diff.WholeFile("big.txt", content.toString()));
        Diff diff = Diff.wholeFiles("files", files);
        List<DiffChunk> chunks = diff.split(600);
        assertThat(chunks).hasSizeGreaterThan(3);
        int expectedStart = 1;
        for (DiffChunk chunk : chunks) {
            assertThat(TokenEstimator.count(chunk.text())).isLessThanOrEqualTo(600);
            String header = chunk.text().lines().filter(l -> l.startsWith("@@")).findFirst().orElseThrow();
            assertThat(header).contains("+" + expectedStart + ",");
            // The first line under the header is the line the header names.
            String firstLine = chunk.text().lines().dropWhile(l -> !l.startsWith("@@")).skip(1).findFirst().orElseThrow();
            assertThat(firstLine).isEqualTo("+value number " + expectedStart + " = compute(" + expectedStart + ");");
            expectedStart += (int) chunk.text().lines().filter(l -> l.startsWith("+value")).count();
        }
        assertThat(expectedStart).isEqualTo(401);
    }

    @Test
    void aBudgetTooSmallForAHeaderIsRefused() {
        Diff diff = Diff.parse("d", TWO_FILES);
        assertThatThrownBy(() -> diff.split(20)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too small");
    }

    @Test
    void wholeFilesAreShownAsAddedWithLineNumbersFromOne() {
        Diff diff = Diff.wholeFiles("files", List.of(new Diff.WholeFile("a.txt", "x\ny\n"), new Diff.WholeFile("empty.txt", "")));
        assertThat(diff.paths()).containsExactly("a.txt");
        assertThat(diff.text()).isEqualTo("--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    }
}
