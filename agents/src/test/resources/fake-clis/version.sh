#!/bin/sh
# Answers --version like the real CLIs do, with a version number somewhere in the line.
if [ "$1" = "--version" ]; then echo "9.8.7 (Fake CLI)"; exit 0; fi
echo "only --version is faked" >&2
exit 1
