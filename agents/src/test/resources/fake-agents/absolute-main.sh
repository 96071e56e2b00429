#!/bin/sh
# Fake agent: writes into the main repository working tree through an absolute path, even to a file the task owns.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "# hacked through an absolute path" >> "$MAIN_REPO/src/auth/login.py"
