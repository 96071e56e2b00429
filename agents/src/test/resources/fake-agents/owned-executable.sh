#!/bin/sh
# Fake agent: adds an executable script inside its owned folder.
# Runs with the task worktree as its working directory; $MAIN_REPO is the main repository.
set -e
printf "#!/bin/sh\necho deploy\n" > scripts/deploy.sh
chmod +x scripts/deploy.sh
