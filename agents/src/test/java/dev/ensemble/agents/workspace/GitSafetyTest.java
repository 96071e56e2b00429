package dev.ensemble.agents.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ensemble's own git calls run none of the configuration an agent can plant: filters, diff and
 * merge drivers in the repository's {@code .git/config} (directly or through an include), in
 * {@code ~/.gitconfig}, hooks; and they get no key. A marker file proves that no command ran.
 */
class GitSafetyTest {
    @TempDir
    Path tmp;

    private Path marker(String name) {
        return tmp.resolve("markers").resolve(name);
    }

    private String touch(String name) throws IOException {
        Files.createDirectories(marker(name).getParent());
        return "touch " + marker(name) + "; cat";
    }

    /** A repository whose .gitattributes sends every path through driver {@code x}. */
    private TempRepo hostileRepo() {
        TempRepo repo = TempRepo.project(tmp.resolve("repo"));
        repo.write(".gitattributes", "* filter=x diff=x merge=x\n").commit("attributes");
        return repo;
    }

    private void plantDrivers(TempRepo repo, String file) throws IOException {
        repo.git("config", "--file", file, "filter.x.clean", touch("clean"));
        repo.git("config", "--file", file, "filter.x.smudge", touch("smudge"));
        repo.git("config", "--file", file, "filter.x.process", touch("process"));
        repo.git("config", "--file", file, "filter.x.required", "true");
        repo.git("config", "--file", file, "diff.x.textconv", touch("textconv"));
        repo.git("config", "--file", file, "diff.x.command", touch("diffcommand"));
        repo.git("config", "--file", file, "merge.x.driver", touch("merge"));
        repo.git("config", "--file", file, "core.fsmonitor", touch("fsmonitor"));
        repo.git("config", "--file", file, "core.hooksPath", tmp.resolve("hooks").toString());
        Files.createDirectories(tmp.resolve("hooks"));
        Path hook = tmp.resolve("hooks/post-checkout");
        Files.writeString(hook, "#!/bin/sh\n" + touch("hook") + "\n");
        hook.toFile().setExecutable(true);
    }

    /** Everything ensemble does to a task: worktree, commit, diffs, a merge with a conflicting side. */
    private void runATask(TempRepo repo) throws IOException {
        WorkspaceManager manager = new WorkspaceManager(repo.root());
        Workspace a = manager.create("r1", "a", "HEAD", List.of());
        Workspace b = manager.create("r1", "b", "HEAD", List.of());
        Files.writeString(a.directory().resolve("README.md"), "from a\n");
        Files.writeString(b.directory().resolve("README.md"), "from b\n");
        manager.commit(a, "a");
        manager.commit(b, "b");
        Git wt = WorkspaceManager.worktreeGit(a);
        wt.ok("diff", a.baseCommit() + "..HEAD");
        wt.ok("log", "-p", "-1");
        wt.ok("show", "HEAD");
        assertThat(manager.merge(a, "ensemble/r1/_run").merged()).isTrue();
        // b conflicts with a on README.md: the merge driver would run here.
        manager.merge(b, "ensemble/r1/_run");
        manager.remove(a);
        manager.remove(b);
    }

    @Test
    void driversInTheRepositoryConfigRunNothing() throws IOException {
        TempRepo repo = hostileRepo();
        plantDrivers(repo, repo.root().resolve(".git/config").toString());
        runATask(repo);
        assertThat(tmp.resolve("markers")).isEmptyDirectory();
    }

    @Test
    void driversInAFileTheRepositoryConfigIncludesRunNothing() throws IOException {
        TempRepo repo = hostileRepo();
        Path included = tmp.resolve("included.cfg");
        plantDrivers(repo, included.toString());
        repo.git("config", "include.path", included.toString());
        runATask(repo);
        assertThat(tmp.resolve("markers")).isEmptyDirectory();
    }

    @Test
    void theGlobalConfigOfTheUserIsNeverRead() throws IOException {
        TempRepo repo = hostileRepo();
        Path home = Files.createDirectories(tmp.resolve("home"));
        plantDrivers(repo, home.resolve(".gitconfig").toString());
        Files.createDirectories(home.resolve(".config/git"));
        Files.writeString(home.resolve(".config/git/attributes"), "* filter=x\n");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        Path dir = repo.root();
        Files.writeString(dir.resolve("new.txt"), "hi\n");
        Git git = Git.in(dir).inheriting(env);
        git.ok("add", "-A");
        git.ok("diff", "--cached");
        git.ok("commit", "-q", "-m", "through a hook-less, filter-less git");
        assertThat(git.exec("config", "--get", "filter.x.clean").ok()).isFalse();
        assertThat(tmp.resolve("markers")).isEmptyDirectory();
    }

    @Test
    void gitGetsNoKeyAndNoGitVariableOfTheCaller() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/u",
                "ANTHROPIC_API_KEY", "sk-ant-secret", "OPENAI_API_KEY", "sk-secret", "AWS_SECRET_ACCESS_KEY", "x",
                "GIT_DIR", "/elsewhere", "GIT_SSH_COMMAND", "evil", "GIT_CONFIG_PARAMETERS", "'filter.x.clean'='evil'"));
        GitSafety.environment(env, false);
        assertThat(env).containsEntry("PATH", "/usr/bin:/bin").containsEntry("HOME", "/home/u")
                .containsEntry("GIT_CONFIG_GLOBAL", "/dev/null").containsEntry("GIT_CONFIG_NOSYSTEM", "1")
                .containsEntry("GIT_ATTR_NOSYSTEM", "1")
                .doesNotContainKeys("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "GIT_DIR", "GIT_SSH_COMMAND",
                        "GIT_CONFIG_PARAMETERS");
    }
}
