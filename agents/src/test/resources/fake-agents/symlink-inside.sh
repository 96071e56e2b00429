#!/bin/sh
# Fake agent: adds a symlink within its owned folder to an owned file.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
ln -s login.py src/auth/current.py
