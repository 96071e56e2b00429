#!/bin/sh
# Fake agent: creates a new top-level folder (its owned glob **/*.py matches the file, not the folder).
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
mkdir -p newpkg
echo "x = 1" > newpkg/mod.py
