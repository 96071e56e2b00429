#!/bin/sh
# Fake agent: changes nothing.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
:
