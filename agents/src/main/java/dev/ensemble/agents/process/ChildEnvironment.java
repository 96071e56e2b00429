package dev.ensemble.agents.process;

import dev.ensemble.core.Redactor;
import java.util.Map;
import java.util.regex.Pattern;

/** The environment of a command that model-written code or a model's tool call runs: none of our credentials. */
public final class ChildEnvironment {
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH).*");

    private ChildEnvironment() {}

    /**
     * Removes every variable whose name looks like it holds a credential ({@code *_API_KEY},
     * {@code GITHUB_TOKEN}, {@code ENSEMBLE_TOKEN} ...), and every variable whose value holds a key
     * ensemble knows ({@link Redactor}), whatever it is called: a key exported as {@code MY_LLM}
     * is still a key.
     */
    public static void removeSecrets(Map<String, String> env) {
        Redactor known = Redactor.global();
        env.entrySet().removeIf(e -> SECRET_NAME.matcher(e.getKey()).matches() || known.containsSecret(e.getValue()));
    }
}
