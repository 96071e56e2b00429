#!/bin/sh
# Fake agent: edits its owned file and deletes the neighbouring file it does not own.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "# fine" >> src/auth/login.py
rm src/auth/session.py
