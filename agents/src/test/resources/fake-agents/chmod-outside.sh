#!/bin/sh
# Fake agent: makes a file outside its owned paths executable.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
chmod +x src/billing/invoice.py
