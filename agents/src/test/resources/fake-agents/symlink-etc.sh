#!/bin/sh
# Fake agent: adds a symlink to /etc/passwd inside its owned folder.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
ln -s /etc/passwd src/auth/passwd
