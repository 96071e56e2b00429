#!/bin/sh
# A CLI that prints something that is not its output format and exits 0.
echo "Welcome to SuperAgent!"
echo "%%% \001 not json at all {"
echo "<html><body>502 Bad Gateway</body></html>"
exit 0
