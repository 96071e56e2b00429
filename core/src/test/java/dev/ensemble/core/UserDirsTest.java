package dev.ensemble.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** $HOME and $XDG_CONFIG_HOME win over the JVM's user.home, which comes from the password database. */
class UserDirsTest {
    private static final Path PASSWD_HOME = Path.of("/home/from-passwd");

    @Test
    void homeComesFromTheEnvironmentFirst() {
        UserDirs dirs = new UserDirs(Map.of("HOME", "/tmp/h"), PASSWD_HOME);

        assertThat(dirs.home()).isEqualTo(Path.of("/tmp/h"));
        assertThat(dirs.configDir()).isEqualTo(Path.of("/tmp/h/.config/ensemble"));
        assertThat(dirs.userConfigFile()).isEqualTo(Path.of("/tmp/h/.config/ensemble/config.yaml"));
        assertThat(dirs.expand("~/keys/openai")).isEqualTo(Path.of("/tmp/h/keys/openai"));
    }

    @Test
    void xdgConfigHomeWinsForTheConfigFolder() {
        UserDirs dirs = new UserDirs(Map.of("HOME", "/tmp/h", "XDG_CONFIG_HOME", "/tmp/xdg"), PASSWD_HOME);

        assertThat(dirs.configDir()).isEqualTo(Path.of("/tmp/xdg/ensemble"));
        assertThat(dirs.home()).isEqualTo(Path.of("/tmp/h"));
    }

    @Test
    void theDataFolderFollowsXdgDataHomeElseDotLocalShare() {
        assertThat(new UserDirs(Map.of("HOME", "/tmp/h"), PASSWD_HOME).dataDir()).isEqualTo(Path.of("/tmp/h/.local/share/ensemble"));
        assertThat(new UserDirs(Map.of("HOME", "/tmp/h", "XDG_DATA_HOME", "/tmp/data"), PASSWD_HOME).dataDir())
                .isEqualTo(Path.of("/tmp/data/ensemble"));
        assertThat(new UserDirs(Map.of("XDG_DATA_HOME", "relative/data"), PASSWD_HOME).dataHome())
                .as("a relative XDG path is ignored").isEqualTo(PASSWD_HOME.resolve(".local/share"));
    }

    @Test
    void unsetBlankOrRelativeValuesFallBack() {
        assertThat(new UserDirs(Map.of(), PASSWD_HOME).configDir()).isEqualTo(Path.of("/home/from-passwd/.config/ensemble"));
        UserDirs relative = new UserDirs(Map.of("HOME", "relative", "XDG_CONFIG_HOME", " "), PASSWD_HOME);
        assertThat(relative.home()).isEqualTo(PASSWD_HOME);
        assertThat(relative.configHome()).isEqualTo(PASSWD_HOME.resolve(".config"));
        assertThat(new UserDirs(Map.of("XDG_CONFIG_HOME", "not/absolute"), PASSWD_HOME).configHome())
                .as("the XDG spec: a relative path is ignored").isEqualTo(PASSWD_HOME.resolve(".config"));
    }

    @Test
    void theLoaderFindsTheUserFileThroughIt() {
        assertThat(dev.ensemble.core.config.ConfigLoader.userConfigPath(Map.of("HOME", "/tmp/h")))
                .isEqualTo(Path.of("/tmp/h/.config/ensemble/config.yaml"));
    }
}
