package dev.ensemble.agents.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The minimal environment every agent CLI starts from: nothing of the user's is inherited but
 * PATH, the locale and (where a CLI honours NO_PROXY) the proxy settings. No API keys, no config
 * folders: HOME, TMPDIR and the XDG folders all point into the private home.
 */
final class ProcessEnv {
    private static final List<String> PROXY_VARS = List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy");
    private static final String LOCAL = "localhost,127.0.0.1,::1";

    private ProcessEnv() {}

    static Map<String, String> base(Path home, Path binary, boolean proxies) {
        return base(home, binary, proxies, System.getenv());
    }

    static Map<String, String> base(Path home, Path binary, boolean proxies, Map<String, String> parent) {
        Map<String, String> env = new LinkedHashMap<>();
        String path = parent.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        Path binDir = binary.toAbsolutePath().getParent();
        env.put("PATH", binDir == null ? path : binDir + File.pathSeparator + path);
        env.put("HOME", home.toString());
        env.put("TMPDIR", home.resolve("tmp").toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("XDG_STATE_HOME", home.resolve(".local/state").toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("LANG", parent.getOrDefault("LANG", "C.UTF-8"));
        for (String name : List.of("USER", "LOGNAME")) {
            if (parent.containsKey(name)) env.put(name, parent.get(name));
        }
        env.put("TERM", "dumb");
        env.put("NO_COLOR", "1");
        if (proxies) {
            boolean any = false;
            for (String name : PROXY_VARS) {
                if (parent.containsKey(name)) {
                    env.put(name, parent.get(name));
                    any = true;
                }
            }
            if (any) {
                String noProxy = parent.getOrDefault("NO_PROXY", parent.getOrDefault("no_proxy", ""));
                String merged = noProxy.isBlank() ? LOCAL : noProxy + "," + LOCAL;
                env.put("NO_PROXY", merged);
                env.put("no_proxy", merged);
            }
        }
        return env;
    }
}
