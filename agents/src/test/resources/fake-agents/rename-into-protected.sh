#!/bin/sh
# Fake agent: renames an owned file into a CI workflow (.github/workflows/x.yml).
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
mkdir -p .github/workflows
mv src/auth/token.py .github/workflows/x.yml
