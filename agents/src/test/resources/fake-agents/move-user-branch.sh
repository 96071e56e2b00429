#!/bin/sh
# Fake agent: commits, then moves the main branch of the user onto its commit.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "# fine" >> src/auth/login.py
git -c user.name=agent -c user.email=agent@example.invalid -c core.hooksPath=/dev/null commit -q -am "agent commit"
git update-ref refs/heads/main HEAD
