package dev.ensemble.agents.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GlobTest {
    @Test
    void doubleStarSpansAnyDepthIncludingNone() {
        Glob lock = Glob.of("**/package-lock.json");
        assertThat(lock.matches("package-lock.json")).isTrue();
        assertThat(lock.matches("web/package-lock.json")).isTrue();
        assertThat(lock.matches("a/b/c/package-lock.json")).isTrue();
        assertThat(lock.matches("web/package-lock.json.bak")).isFalse();
        assertThat(lock.matches("web/not-package-lock.json")).isFalse();

        Glob under = Glob.of(".github/**");
        assertThat(under.matches(".github/workflows/ci.yml")).isTrue();
        assertThat(under.matches(".githubx/ci.yml")).isFalse();

        Glob middle = Glob.of("src/**/test/*.py");
        assertThat(middle.matches("src/test/a.py")).isTrue();
        assertThat(middle.matches("src/x/y/test/a.py")).isTrue();
        assertThat(middle.matches("src/x/test/sub/a.py")).isFalse();
    }

    @Test
    void singleStarAndQuestionMarkStayWithinOneSegment() {
        assertThat(Glob.of("src/*.py").matches("src/a.py")).isTrue();
        assertThat(Glob.of("src/*.py").matches("src/auth/a.py")).isFalse();
        assertThat(Glob.of("**/*.lock").matches("Cargo.lock")).isTrue();
        assertThat(Glob.of("**/*.lock").matches("deep/dir/yarn.lock")).isTrue();
        assertThat(Glob.of("file?.txt").matches("file1.txt")).isTrue();
        assertThat(Glob.of("file?.txt").matches("file/.txt")).isFalse();
        assertThat(Glob.of("file[0-9].txt").matches("file7.txt")).isTrue();
        assertThat(Glob.of("file[!0-9].txt").matches("file7.txt")).isFalse();
    }

    @Test
    void aBareFolderOwnsEverythingUnderItAndNothingBesideIt() {
        Glob auth = Glob.of("./src/auth/");
        assertThat(auth.matches("src/auth")).isTrue();
        assertThat(auth.matches("src/auth/login.py")).isTrue();
        assertThat(auth.matches("src/auth/deep/x.py")).isTrue();
        assertThat(auth.matches("src/authz/x.py")).isFalse();
        assertThat(auth.matches("src/billing/x.py")).isFalse();
        assertThat(Glob.of("Jenkinsfile").matches("Jenkinsfile")).isTrue();
        assertThat(Glob.of("Jenkinsfile").matches("sub/Jenkinsfile")).isFalse();
    }

    @Test
    void regexCharactersAreLiteral() {
        assertThat(Glob.of("a+b(c).txt").matches("a+b(c).txt")).isTrue();
        assertThat(Glob.of("**/a.b").matches("x/aXb")).isFalse();
    }

    @Test
    void theLiteralTopSegmentIsKnownWhenThereIsOne() {
        assertThat(Glob.of("newpkg/**").literalTopSegment()).contains("newpkg");
        assertThat(Glob.of("**/*.py").literalTopSegment()).isEmpty();
        assertThat(Glob.of("src*/x").literalTopSegment()).isEmpty();
    }

    @Test
    void absoluteOrEmptyGlobsAreRejected() {
        assertThatThrownBy(() -> Glob.of("/etc/**")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Glob.of("  ")).isInstanceOf(IllegalArgumentException.class);
    }
}
