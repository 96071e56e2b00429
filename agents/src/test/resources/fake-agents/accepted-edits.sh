#!/bin/sh
# Fake agent: adds, modifies, deletes and renames files inside its owned folder.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
echo "def new(): pass" > src/auth/new.py
echo "# improved" >> src/auth/login.py
rm src/auth/session.py
mkdir -p src/auth/tokens
mv src/auth/token.py src/auth/tokens/token.py
