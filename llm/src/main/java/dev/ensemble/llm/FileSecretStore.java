package dev.ensemble.llm;

import dev.ensemble.core.SecretRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One file per key, {@code <folder>/NAME}, mode 0600 in a folder of mode 0700, each written to a
 * temporary file of mode 0600 beside it and moved into place atomically, so a crash leaves the
 * old key or the new one, never half of one, and the key is never readable by others for a moment.
 * On a file system without POSIX permissions the files are written without them.
 */
public final class FileSecretStore implements SecretStore {
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path folder;

    public FileSecretStore(Path folder) {
        this.folder = Objects.requireNonNull(folder, "folder").toAbsolutePath().normalize();
    }

    public Path folder() {
        return folder;
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public String describe() {
        return "files under " + folder + " (mode 0600)";
    }

    @Override
    public String where(String name) {
        return file(name).toString();
    }

    @Override
    public SecretRef ref(String name) {
        return new SecretRef.File(file(name).toString());
    }

    @Override
    public void put(String name, String value) {
        Path target = file(name);
        Path temp = null;
        try {
            createFolder();
            boolean posix = posix();
            FileAttribute<?>[] attributes = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                    : new FileAttribute<?>[0];
            temp = Files.createTempFile(folder, "." + name + ".", ".tmp", attributes);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) channel.write(bytes);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            if (posix) Files.setPosixFilePermissions(target, FILE_MODE);
        } catch (IOException e) {
            throw new SecretStoreException("cannot store " + name + " in " + target + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the temporary file is mode 0600 and named as one; nothing more to do
                }
            }
        }
    }

    @Override
    public boolean remove(String name) {
        try {
            return Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new SecretStoreException("cannot remove " + file(name) + ": " + e.getClass().getSimpleName());
        }
    }

    @Override
    public List<String> names() {
        if (!Files.isDirectory(folder)) return List.of();
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(SecretStore::validName).sorted().forEach(names::add);
        } catch (IOException e) {
            throw new SecretStoreException("cannot list " + folder + ": " + e.getClass().getSimpleName());
        }
        return names;
    }

    @Override
    public boolean contains(String name) {
        return SecretStore.validName(name) && Files.isRegularFile(file(name));
    }

    /** "0600", or the mode the file really has when someone widened it; "" where there are no POSIX modes. */
    public String mode(String name) {
        try {
            return octal(Files.getPosixFilePermissions(file(name)));
        } catch (UnsupportedOperationException | IOException e) {
            return "";
        }
    }

    private Path file(String name) {
        if (!SecretStore.validName(name)) {
            throw new SecretStoreException("'" + name + "' is not a valid secret name (letters, digits and _, not starting with a digit)");
        }
        return folder.resolve(name);
    }

    private void createFolder() throws IOException {
        if (Files.isDirectory(folder)) {
            if (posix()) Files.setPosixFilePermissions(folder, FOLDER_MODE);
            return;
        }
        Files.createDirectories(folder.getParent());
        try {
            if (posix()) Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
            else Files.createDirectory(folder);
        } catch (FileAlreadyExistsException e) {
            // created by a concurrent `secrets set`; the mode is set below
        }
        // The umask may have narrowed the mode asked for at creation; set it exactly.
        if (posix()) Files.setPosixFilePermissions(folder, FOLDER_MODE);
    }

    private boolean posix() {
        return folder.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static String octal(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) mode |= 1 << (8 - p.ordinal());
        return String.format("%04o", mode);
    }
}
