#!/bin/sh
# Fake agent: plants a pre-commit hook in the main repository (found through git rev-parse --git-common-dir).
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
hooks="$(git rev-parse --git-common-dir)/hooks"
mkdir -p "$hooks"
printf "#!/bin/sh\nexit 0\n" > "$hooks/pre-commit"
chmod +x "$hooks/pre-commit"
