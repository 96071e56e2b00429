#!/bin/sh
# Fake agent: hides files from git by editing .git/info/exclude of the main repository.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
mkdir -p "$(git rev-parse --git-common-dir)/info"
echo "src/billing/" >> "$(git rev-parse --git-common-dir)/info/exclude"
