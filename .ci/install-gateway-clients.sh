#!/usr/bin/env bash
# Installs the official model-client libraries that the gateway's client tests drive (openai,
# @anthropic-ai/sdk) and the Portkey gateway that its benchmark compares against, once, into a cache
# folder outside the repository, and prints the node_modules folder to use as NODE_PATH.
#
#   .ci/install-gateway-clients.sh
#
# Cache: ${ENSEMBLE_GATEWAY_CLIENTS_CACHE:-$HOME/.cache/ensemble/gateway-clients}. Idempotent. openai 7.x
# declares Node >= 22 but runs the client paths used here on Node 20 (checked by the tests themselves).
# Portkey 1.15.2 needs @hono/node-server held at 1.13.5 (later ones break its streaming on Node 20).
set -euo pipefail

CACHE="${ENSEMBLE_GATEWAY_CLIENTS_CACHE:-$HOME/.cache/ensemble/gateway-clients}"
command -v npm >/dev/null || { echo "npm is needed to install the gateway client libraries" >&2; exit 2; }
mkdir -p "$CACHE"

cat > "$CACHE/package.json.new" <<'JSON'
{
  "name": "ensemble-gateway-clients",
  "private": true,
  "dependencies": {
    "openai": "7.60.0",
    "@anthropic-ai/sdk": "1.17.0",
    "@portkey-ai/gateway": "1.15.2"
  },
  "overrides": { "@hono/node-server": "1.13.5" }
}
JSON
if cmp -s "$CACHE/package.json.new" "$CACHE/package.json" && [ -d "$CACHE/node_modules/openai" ] \
    && [ -d "$CACHE/node_modules/@anthropic-ai/sdk" ] && [ -d "$CACHE/node_modules/@portkey-ai/gateway" ]; then
  rm "$CACHE/package.json.new"
  echo "gateway client libraries already installed" >&2
else
  mv "$CACHE/package.json.new" "$CACHE/package.json"
  echo "installing openai, @anthropic-ai/sdk and @portkey-ai/gateway into $CACHE" >&2
  (cd "$CACHE" && npm install --no-audit --no-fund --loglevel=error >&2)
fi
echo "$CACHE/node_modules"
