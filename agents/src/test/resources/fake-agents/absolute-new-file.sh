#!/bin/sh
# Fake agent: creates a new file in the main working tree through an absolute path.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "planted" > "$MAIN_REPO/planted.txt"
