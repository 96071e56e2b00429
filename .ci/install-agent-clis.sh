#!/usr/bin/env bash
# Installs the coding-agent CLIs that the slow tests (and users) drive, once, into a cache folder
# outside the repository, and prints the folder that holds their executables.
#
#   .ci/install-agent-clis.sh            # all of them
#   .ci/install-agent-clis.sh claude qwen  # only these
#
# Cache: ${ENSEMBLE_AGENT_CLI_CACHE:-$HOME/.cache/ensemble/agent-clis}. Idempotent: a CLI whose pinned
# version is already there is not fetched again. Versions are the ones verified headless against the
# scripted model server (see AGENT-CLIS.md); qwen stays on 0.15.x because later ones need Node 22.
# aider is a Python package and crush downloads from outside npm: neither is installed here.
set -euo pipefail

CACHE="${ENSEMBLE_AGENT_CLI_CACHE:-$HOME/.cache/ensemble/agent-clis}"

declare -A PACKAGES=(
  [claude]="@anthropic-ai/claude-code@2.1.197"
  [codex]="@openai/codex@0.169.0"
  [opencode]="opencode-ai@1.18.33"
  [gemini]="@google/gemini-cli@0.61.0"
  [qwen]="@qwen-code/qwen-code@0.15.10"
  [cn]="@continuedev/cli@1.5.47"
)
ORDER=(claude codex opencode gemini qwen cn)

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=("${ORDER[@]}")

command -v npm >/dev/null || { echo "npm is needed to install the agent CLIs" >&2; exit 2; }
mkdir -p "$CACHE"

mkdir -p "$CACHE/bin"
for cli in "${wanted[@]}"; do
  spec="${PACKAGES[$cli]:-}"
  if [ -z "$spec" ]; then echo "unknown CLI '$cli' (known: ${ORDER[*]})" >&2; exit 2; fi
  pkg="${spec%@*}"; version="${spec##*@}"
  # One prefix per CLI: an install never prunes or upgrades another CLI's dependencies.
  prefix="$CACHE/$cli"
  manifest="$prefix/node_modules/$pkg/package.json"
  if [ -f "$manifest" ] && grep -q "\"version\": *\"$version\"" "$manifest" && [ -x "$prefix/node_modules/.bin/$cli" ]; then
    echo "$cli $version already installed" >&2
  else
    echo "installing $cli ($spec) into $prefix" >&2
    mkdir -p "$prefix"
    # Install scripts run: codex and opencode take their native binaries from optional npm
    # dependencies (nothing is downloaded from outside the registry).
    npm install --prefix "$prefix" --save-exact --no-audit --no-fund --loglevel=error "$spec" >&2
  fi
  ln -sfn "$prefix/node_modules/.bin/$cli" "$CACHE/bin/$cli"
done

echo "$CACHE/bin"
