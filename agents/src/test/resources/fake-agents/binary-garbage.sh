#!/bin/sh
# Fake agent: writes binary garbage (NUL bytes) into its owned folder.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
printf 'PK\003\004\000\000garbage\377\376\000' > src/auth/blob.bin
