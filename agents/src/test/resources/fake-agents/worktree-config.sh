#!/bin/sh
# Fake agent: writes the worktree's own gitdir config (config.worktree).
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
printf "[core]\n\tsshCommand = evil\n" > "$(git rev-parse --git-dir)/config.worktree"
