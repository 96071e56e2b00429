#!/bin/sh
# Fake agent: creates a new top-level folder that its owned paths name.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
mkdir -p newpkg
echo "x = 1" > newpkg/mod.py
