#!/bin/sh
# Fake agent: modifies the CI workflow, even though the task claims .github/**.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "# pwned" >> .github/workflows/ci.yml
