package dev.ensemble.agents.process;

import java.util.Map;
import java.util.regex.Pattern;

/** The environment of a command that model-written code or a model's tool call runs: none of our credentials. */
public final class ChildEnvironment {
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH).*");

    private ChildEnvironment() {}

    /** Removes every variable whose name looks like it holds a credential ({@code *_API_KEY}, {@code GITHUB_TOKEN} ...). */
    public static void removeSecrets(Map<String, String> env) {
        env.keySet().removeIf(name -> SECRET_NAME.matcher(name).matches());
    }
}
