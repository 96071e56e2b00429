#!/bin/sh
# Records how it was started, next to the private home (whose parent the test owns): the
# arguments, the environment and the config files in the home, which are gone after the run.
out="$(dirname "$HOME")/recorded"
mkdir -p "$out"
for a in "$@"; do printf '%s\n' "$a"; done > "$out/args"
env > "$out/env"
pwd > "$out/pwd"
(cd "$HOME" && find . -type f | sort) > "$out/files"
(cd "$HOME" && find . -type d | sort) > "$out/dirs"
for f in .claude/settings.json .codex/config.toml opencode/opencode.json .gemini/settings.json .qwen/settings.json .continue/config.yaml \
    .config/opencode/package.json .config/opencode/package-lock.json ensemble-offline.cjs; do
  if [ -f "$HOME/$f" ]; then mkdir -p "$out/$(dirname "$f")"; cp "$HOME/$f" "$out/$f"; fi
done
if [ -n "$OPENCODE_CONFIG" ] && [ -f "$OPENCODE_CONFIG" ]; then cp "$OPENCODE_CONFIG" "$out/opencode-config.json"; fi
cat > "$out/stdin"
exit 0
