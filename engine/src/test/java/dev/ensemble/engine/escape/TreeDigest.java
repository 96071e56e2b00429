package dev.ensemble.engine.escape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/** A SHA-256 over every path, kind, mode and content under a folder: equal exactly when the tree is byte for byte the same. */
final class TreeDigest {
    private TreeDigest() {}

    static String of(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return "absent";
        MessageDigest digest = sha256();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                digest.update(dir.relativize(p).toString().getBytes());
                digest.update(file(p).getBytes());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** One name inside {@code dir} (for a file written beside the repository). */
    static String of(Path dir, String name) throws IOException {
        return file(dir.resolve(name));
    }

    static String file(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) return "link:" + Files.readSymbolicLink(p);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return "absent";
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return "dir";
        return (Files.isExecutable(p) ? "x:" : "f:") + HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(p)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
