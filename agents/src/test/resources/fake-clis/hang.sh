#!/bin/sh
# A CLI that hangs with a child that hangs too: both pids go to the working directory, so a test
# can check that neither survives the timeout. TERM is ignored, so only SIGKILL ends them.
trap '' TERM
sleep 600 &
echo $! > hang-child.pid
echo $$ > hang-parent.pid
echo 'working on it...'
sleep 600
wait
