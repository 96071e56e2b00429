package dev.ensemble.agents.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTest {
    @Test
    void theDefaultProtectsGitEnsembleCiAndLockFiles() {
        Policy p = Policy.DEFAULT;
        assertThat(p.protectedPaths()).contains(".git/**", ".ensemble/**", ".github/**", ".gitlab-ci.yml", ".ci/**",
                ".circleci/**", "Jenkinsfile", "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml",
                "**/Cargo.lock", "**/poetry.lock", "**/go.sum", "**/Gemfile.lock", "**/composer.lock", "**/*.lock");
        assertThat(p.maxFileBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(p.allowBinary()).isFalse();
        assertThat(p.allowedTopLevelFolders()).isEmpty();
        assertThat(p.guardMainTree()).isTrue();
        assertThat(Policy.fromMap(Map.of())).isEqualTo(Policy.DEFAULT);
        assertThat(Policy.fromMap(null)).isEqualTo(Policy.DEFAULT);
    }

    @Test
    void aConfigSectionSetsEveryField() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("protected_extra", List.of("deploy/**"));
        section.put("allowed_top_level_folders", List.of("tools/", "docs"));
        section.put("copy_ignored", List.of(".env", "config/*.local"));
        section.put("max_file_size", "512KB");
        section.put("allow_binary", false);
        section.put("binary_allowed", List.of("**/*.png"));
        section.put("guard_main_tree", false);
        Policy p = Policy.fromMap(section);
        assertThat(p.protectedPaths()).containsAll(Policy.DEFAULT_PROTECTED).contains("deploy/**");
        assertThat(p.allowedTopLevelFolders()).containsExactly("tools", "docs");
        assertThat(p.copyIgnored()).containsExactly(".env", "config/*.local");
        assertThat(p.maxFileBytes()).isEqualTo(512 * 1024);
        assertThat(p.binaryAllowed()).containsExactly("**/*.png");
        assertThat(p.guardMainTree()).isFalse();

        assertThat(Policy.fromMap(Map.of("protected", List.of("only/**"))).protectedPaths()).containsExactly("only/**");
        assertThat(Policy.fromMap(Map.of("max_file_size", 1000)).maxFileBytes()).isEqualTo(1000);
        assertThat(Policy.fromMap(Map.of("max_file_size", "2 MiB")).maxFileBytes()).isEqualTo(2L * 1024 * 1024);
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> Policy.fromMap(Map.of("protectd", List.of("x"))))
                .hasMessageStartingWith("policy.protectd: unknown key").hasMessageContaining("protected");
        assertThatThrownBy(() -> Policy.fromMap(Map.of("protected", 3)))
                .hasMessage("policy.protected: expected a list of strings, got integer 3");
        assertThatThrownBy(() -> Policy.fromMap(Map.of("binary_allowed", List.of("ok/**", "/abs"))))
                .hasMessageStartingWith("policy.binary_allowed[1]:");
        assertThatThrownBy(() -> Policy.fromMap(Map.of("max_file_size", "lots")))
                .hasMessageStartingWith("policy.max_file_size: expected");
        assertThatThrownBy(() -> Policy.fromMap(Map.of("max_file_size", -5)))
                .hasMessageStartingWith("policy.max_file_size:");
        assertThatThrownBy(() -> Policy.fromMap(Map.of("allow_binary", "yes")))
                .hasMessage("policy.allow_binary: expected true or false, got 'yes'");
        assertThatThrownBy(() -> Policy.fromMap(Map.of("allowed_top_level_folders", List.of("a/b"))))
                .hasMessageStartingWith("policy.allowed_top_level_folders[0]:");
    }
}
