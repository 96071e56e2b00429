#!/bin/sh
# Fake agent: renames a file it does not own into its owned folder.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
mv src/billing/invoice.py src/auth/invoice.py
