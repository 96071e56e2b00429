#!/bin/sh
# Fake agent: checks out a branch of its own instead of the task branch.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
git checkout -q -b rogue
