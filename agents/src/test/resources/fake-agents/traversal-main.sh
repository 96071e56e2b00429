#!/bin/sh
# Fake agent: writes into the main repository through ../ (the worktree is <repo>/.ensemble/worktrees/<run>/<task>).
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "# hacked through .." >> ../../../../src/billing/invoice.py
