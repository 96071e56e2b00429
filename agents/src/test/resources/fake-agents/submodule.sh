#!/bin/sh
# Fake agent: adds an embedded git repository (a gitlink, mode 160000) in its owned folder.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
mkdir -p src/auth/vendor
cd src/auth/vendor
git init -q
git -c user.name=agent -c user.email=agent@example.invalid commit -q --allow-empty -m vendored
