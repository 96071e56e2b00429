#!/bin/sh
# Fake agent: writes a PNG (binary) where the policy allows binary files.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
printf '\211PNG\r\n\032\n\000\000\000\rIHDR' > src/auth/logo.png
