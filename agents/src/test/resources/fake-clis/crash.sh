#!/bin/sh
# A CLI that starts, then crashes: a line of output, a message on stderr, exit code 3.
echo '{"type":"system","subtype":"init","session_id":"crash-session"}'
echo "fatal: the agent crashed while starting its model client" >&2
exit 3
