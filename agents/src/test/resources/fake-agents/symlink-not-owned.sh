#!/bin/sh
# Fake agent: adds a symlink (inside the worktree) to a file the task does not own.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
ln -s ../billing/invoice.py src/auth/invoice.py
