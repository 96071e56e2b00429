package dev.ensemble.agents.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the commands of one task's worktree are launched: the builtin agent's commands and the
 * judge's test and lint commands get the worktree writable, the checkout and home hidden, private
 * git state, and {@code network} with no gateway (they call no model).
 */
public record Confinement(Launcher launcher, Path worktree, Optional<Path> gitDir, Path repoRoot, NetworkRule network) {

    public LaunchSpec spec(List<String> command, Map<String, String> environment) {
        return LaunchSpec.inWorktree(command, worktree, gitDir, repoRoot, environment).withNetwork(network);
    }

    /** Unconfined commands in {@code dir} (tests, and code given no launcher). */
    public static Confinement unconfined(Path dir) {
        return new Confinement(Launcher.unconfined(), dir, Optional.empty(), dir, NetworkRule.GATEWAY_ONLY);
    }

    /**
     * For a task worktree known only by its folder (the judge): its git folder from its {@code .git}
     * file, accepted only when it is a worktree folder of a repository ({@link Launcher#gitLayout}),
     * and the checkout is that repository's working tree. Anything else: the folder itself is all
     * there is to hide around.
     */
    public static Confinement forWorktree(Launcher launcher, Path worktree, NetworkRule network) {
        Path dotGit = worktree.resolve(".git");
        try {
            if (Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
                String line = Files.readString(dotGit).strip();
                if (line.startsWith("gitdir:")) {
                    Path gitDir = worktree.resolve(line.substring("gitdir:".length()).strip());
                    Optional<BubblewrapCommand.GitLayout> layout = Launcher.gitLayout(gitDir);
                    if (layout.isPresent() && layout.get().commonDir().getFileName().toString().equals(".git")) {
                        return new Confinement(launcher, worktree, Optional.of(layout.get().gitDir()),
                                layout.get().commonDir().getParent(), network);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: nothing known about a repository
        }
        return new Confinement(launcher, worktree, Optional.empty(), worktree, network);
    }
}
