#!/bin/sh
# Fake agent: changes the shared repository config (.git/config) with git config.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
git config core.pager "cat # agent was here"
