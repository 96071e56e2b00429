package dev.ensemble.gateway.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Making and hashing key secrets. A secret is {@code ens-vk-} and 43 characters from 62
 * (256 bits from {@link SecureRandom}); its public id is {@code key-} and 10 characters from 36,
 * drawn separately, so the id says nothing about the secret.
 *
 * <p>Only SHA-256 of the secret is stored. A slow password hash (bcrypt, Argon2) defends
 * guessable secrets against offline guessing; a 256-bit random secret cannot be guessed, so the
 * slow hash would only add its cost to every request the gateway authenticates. The hash is also
 * the lookup key, so a request is matched by an indexed equality on the hash, never by comparing
 * a stored secret with the presented one.
 */
public final class KeySecrets {
    /** What every virtual key's secret starts with; the gateway claims only secrets with it. */
    public static final String PREFIX = "ens-vk-";
    static final String ID_PREFIX = "key-";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";
    /** 43 × log2(62) ≈ 256 bits. */
    private static final int SECRET_CHARS = 43;
    private static final int ID_CHARS = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeySecrets() {}

    static String newSecret() {
        return PREFIX + draw(BASE62, SECRET_CHARS);
    }

    static String newId() {
        return ID_PREFIX + draw(BASE36, ID_CHARS);
    }

    /** Whether {@code text} has the shape of a virtual key's secret (not whether it is a known one). */
    public static boolean looksLikeSecret(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    /** Lower-case hex SHA-256 of the secret's UTF-8 bytes: what the key file stores. */
    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String draw(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return out.toString();
    }
}
