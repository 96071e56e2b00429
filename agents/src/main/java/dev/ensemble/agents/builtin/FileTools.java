package dev.ensemble.agents.builtin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** read_file, write_file, edit_file and list_dir, all through {@link WorkspacePaths}. */
final class FileTools {
    private static final Set<PosixFilePermission> NEW_FILE = PosixFilePermissions.fromString("rw-r--r--");

    private final WorkspacePaths paths;
    private final OwnedPaths owned;
    private final BuiltinSettings settings;

    FileTools(WorkspacePaths paths, OwnedPaths owned, BuiltinSettings settings) {
        this.paths = paths;
        this.owned = owned;
        this.settings = settings;
    }

    ToolOutcome read(Args args) {
        var file = paths.resolve(args.required("path"));
        int offset = args.optionalInt("offset").orElse(1);
        if (offset < 1) throw new ToolError("read_file: offset counts lines from 1");
        int limit = args.optionalInt("limit").orElse(Integer.MAX_VALUE);
        if (limit < 1) throw new ToolError("read_file: limit must be at least 1");
        String text = readText(file, "read_file");
        if (text.isEmpty()) return ToolOutcome.ok("(" + file.relative() + " is empty)");

        String[] lines = text.split("\n", -1);
        int total = text.endsWith("\n") ? lines.length - 1 : lines.length;
        if (offset > total) throw new ToolError("read_file: " + file.relative() + " has only " + total + " lines");
        int budget = settings.maxOutputChars() - 100;
        StringBuilder out = new StringBuilder();
        int last = offset - 1;
        for (int i = offset - 1; i < total && i - (offset - 1) < limit; i++) {
            if (out.length() + lines[i].length() + 1 > budget && i > offset - 1) break;
            out.append(lines[i]).append('\n');
            last = i + 1;
        }
        if (offset > 1 || last < total) {
            out.append("[lines ").append(offset).append('-').append(last).append(" of ").append(total)
                    .append(last < total ? "; read on with offset " + (last + 1) : "").append(']');
        } else if (!text.endsWith("\n")) {
            out.setLength(out.length() - 1);
        }
        return ToolOutcome.ok(Texts.bound(out.toString(), settings.maxOutputChars()));
    }

    ToolOutcome write(Args args) {
        var file = paths.resolve(args.required("path"));
        String content = args.required("content");
        checkWritable(file, "write_file");
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        boolean existed = Files.exists(file.target(), LinkOption.NOFOLLOW_LINKS);
        if (existed) {
            if (Files.isDirectory(file.target())) throw new ToolError("write_file: " + file.relative() + " is a folder");
            if (Arrays.equals(readBytes(file), bytes)) {
                return ToolOutcome.ok(file.relative() + " already has exactly this content; nothing changed");
            }
        }
        writeAtomically(file, bytes);
        return ToolOutcome.changed((existed ? "wrote " : "created ") + file.relative() + " (" + bytes.length + " bytes)",
                file.relative());
    }

    ToolOutcome edit(Args args) {
        var file = paths.resolve(args.required("path"));
        String old = args.required("old");
        String replacement = args.required("new");
        checkWritable(file, "edit_file");
        if (old.isEmpty()) throw new ToolError("edit_file: 'old' is empty; give the exact text to replace, or use write_file");
        if (old.equals(replacement)) throw new ToolError("edit_file: 'old' and 'new' are the same; nothing to change");
        String text = readText(file, "edit_file");
        int count = Texts.occurrences(text, old);
        if (count == 0) {
            throw new ToolError("edit_file: the 'old' text was not found in " + file.relative()
                    + "; it must match exactly, including whitespace and line breaks. Read the file and try again.");
        }
        if (count > 1) {
            throw new ToolError("edit_file: the 'old' text occurs " + count + " times in " + file.relative()
                    + "; include more surrounding lines so that it occurs exactly once");
        }
        int at = text.indexOf(old);
        String updated = text.substring(0, at) + replacement + text.substring(at + old.length());
        writeAtomically(file, updated.getBytes(StandardCharsets.UTF_8));
        return ToolOutcome.changed("edited " + file.relative() + " (1 replacement)", file.relative());
    }

    ToolOutcome list(Args args) {
        var dir = paths.resolve(args.optional("path").orElse("."));
        if (!Files.isDirectory(dir.target())) {
            throw new ToolError("list_dir: " + dir.relative() + (Files.exists(dir.target()) ? " is a file; use read_file" : " does not exist"));
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.target())) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equalsIgnoreCase(".git")) continue;
                if (Files.isSymbolicLink(entry)) names.add(name + "@");
                else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) names.add(name + "/");
                else names.add(name);
            }
        } catch (IOException e) {
            throw new ToolError("list_dir: cannot list " + dir.relative() + ": " + e.getMessage());
        }
        if (names.isEmpty()) return ToolOutcome.ok("(" + dir.relative() + " is empty)");
        names.sort(null);
        int max = settings.maxListEntries();
        List<String> shown = names.size() > max ? names.subList(0, max) : names;
        String out = String.join("\n", shown) + (names.size() > max ? "\n[... and " + (names.size() - max) + " more]" : "");
        return ToolOutcome.ok(Texts.bound(out, settings.maxOutputChars()));
    }

    private void checkWritable(WorkspacePaths.Resolved file, String tool) {
        if (file.relative().equals(".")) throw new ToolError(tool + ": give a file path, not the workspace itself");
        if (settings.checkOwnership() && !owned.owns(file.relative())) {
            throw new ToolError(tool + ": " + file.relative() + " is not among the paths this task owns ("
                    + String.join(", ", owned.entries()) + "); change only those");
        }
    }

    private byte[] readBytes(WorkspacePaths.Resolved file) {
        try {
            return Files.readAllBytes(file.target());
        } catch (IOException e) {
            throw new ToolError("cannot read " + file.relative() + ": " + e.getMessage());
        }
    }

    private String readText(WorkspacePaths.Resolved file, String tool) {
        Path target = file.target();
        if (!Files.exists(target)) throw new ToolError(tool + ": " + file.relative() + " does not exist");
        if (Files.isDirectory(target)) throw new ToolError(tool + ": " + file.relative() + " is a folder; use list_dir");
        long size;
        try {
            size = Files.size(target);
        } catch (IOException e) {
            throw new ToolError(tool + ": cannot read " + file.relative() + ": " + e.getMessage());
        }
        if (size > settings.maxReadBytes()) {
            throw new ToolError(tool + ": " + file.relative() + " is " + size + " bytes, over the limit of "
                    + settings.maxReadBytes() + " bytes; use grep to find what you need in it");
        }
        byte[] bytes = readBytes(file);
        if (Texts.looksBinary(bytes)) throw new ToolError(tool + ": " + file.relative() + " is a binary file");
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** createTempFile makes the file private (0600); give it the mode the file had, or a normal one. */
    private static void keepMode(Path target, Path temp) throws IOException {
        try {
            Files.setPosixFilePermissions(temp, Files.exists(target) ? Files.getPosixFilePermissions(target) : NEW_FILE);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the default mode is all there is
        }
    }

    /** Writes through a temporary file in the same folder and a rename, so no reader sees half a file. */
    private void writeAtomically(WorkspacePaths.Resolved file, byte[] bytes) {
        Path target = file.target();
        Path temp = null;
        try {
            Path parent = target.getParent();
            Files.createDirectories(parent);
            temp = Files.createTempFile(parent, ".ensemble-", ".tmp");
            Files.write(temp, bytes);
            keepMode(target, temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new ToolError("cannot write " + file.relative() + ": " + e.getMessage());
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temp file is harmless and the Enforcer would see it
                }
            }
        }
    }
}
