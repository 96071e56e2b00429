#!/bin/sh
# Fake agent: adds a symlink into a sibling task worktree (../other).
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
ln -s ../../../other/src/auth/login.py src/auth/other.py
