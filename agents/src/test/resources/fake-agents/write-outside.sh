#!/bin/sh
# Fake agent: edits a file outside the task's owned paths.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "# changed by the agent" >> src/billing/invoice.py
