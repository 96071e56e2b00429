package dev.ensemble.agents.workspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away git repository for tests, standing in for the user's: {@code main} branch, a local
 * identity (never the global one), files written and committed as the user would.
 */
public final class TempRepo {
    private final Path root;

    private TempRepo(Path root) {
        this.root = root;
    }

    /** A new repository in {@code dir} (created), with one commit holding {@code files} (path, content pairs). */
    public static TempRepo create(Path dir, String... files) {
        try {
            Files.createDirectories(dir);
            TempRepo repo = new TempRepo(dir.toRealPath());
            repo.git("init", "-q", "-b", "main");
            repo.git("config", "user.name", "Test User");
            repo.git("config", "user.email", "user@example.invalid");
            repo.git("config", "commit.gpgSign", "false");
            for (int i = 0; i + 1 < files.length; i += 2) repo.write(files[i], files[i + 1]);
            repo.commit("initial");
            return repo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository used by the enforcement battery: a small project with CI, lock file, scripts and ignored files. */
    public static TempRepo project(Path dir) {
        TempRepo repo = create(dir,
                "README.md", "# project\n",
                ".gitignore", ".env\n*.key\n",
                "src/auth/login.py", "def login():\n    return True\n",
                "src/auth/session.py", "def session():\n    return {}\n",
                "src/auth/token.py", "def token():\n    return 'abc-0123456789-abcdefghijklmnop'\n",
                "src/billing/invoice.py", "def invoice():\n    return 42\n",
                "scripts/build.sh", "#!/bin/sh\necho build\n",
                "web/package.json", "{\"name\": \"web\"}\n",
                "web/package-lock.json", "{\"lockfileVersion\": 3}\n",
                "web/app.js", "console.log('app');\n",
                ".github/workflows/ci.yml", "on: push\n",
                "docs/guide.md", "# guide\n");
        repo.executable("scripts/build.sh");
        repo.commit("scripts are executable");
        repo.write(".env", "API_TOKEN=local-only\n");
        repo.write("secret.key", "not for tasks\n");
        return repo;
    }

    public Path root() {
        return root;
    }

    public TempRepo write(String path, String content) {
        try {
            Path file = root.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String path) {
        try {
            return Files.readString(root.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TempRepo executable(String path) {
        try {
            Files.setPosixFilePermissions(root.resolve(path), PosixFilePermissions.fromString("rwxr-xr-x"));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String commit(String message) {
        git("add", "-A");
        git("commit", "-q", "--allow-empty", "-m", message);
        return head();
    }

    public String head() {
        return git("rev-parse", "HEAD");
    }

    /** The user's view: HEAD's symbolic ref and commit, {@code status --porcelain}, and the index entries. */
    public String userState() {
        return git("symbolic-ref", "HEAD") + "\n" + head() + "\n" + git("status", "--porcelain", "--untracked-files=all")
                + "\n" + git("ls-files", "--stage") + "\n" + git("diff");
    }

    /** Runs git in the repository as the user would (hooks and all); returns trimmed stdout, fails on a non-zero exit. */
    public String git(String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
            builder.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                in.transferTo(buffer);
                out = buffer.toByteArray();
            }
            int exit = process.waitFor();
            String text = new String(out, StandardCharsets.UTF_8).strip();
            if (exit != 0) throw new IllegalStateException(String.join(" ", command) + " failed (" + exit + "): " + text);
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
