#!/bin/sh
# Fake agent: writes a sparse 6 MB file (over the 5 MB limit).
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
truncate -s 6M src/auth/big.dat
