#!/bin/sh
# Fake agent: rewrites a lock file inside its owned folder.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
printf '{"lockfileVersion": 3, "changed": true}\n' > web/package-lock.json
