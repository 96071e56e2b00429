#!/bin/sh
# Fake agent: adds a new executable file outside its owned paths.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
printf "#!/bin/sh\necho run\n" > run.sh
chmod +x run.sh
