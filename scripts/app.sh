#!/bin/bash
# `npm run app`: installs when the lockfile changed, builds when the sources changed, then starts the
# app with its hourly export on the embedded defaults. The second start of an installed, built
# checkout goes straight to the server. Each long step says what it is doing.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then echo "Spillway needs Node.js 20 or newer (this is $(node -v))" >&2; exit 1; fi

# install: when node_modules is missing or older than the lockfile
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "spillway: installing dependencies (npm ci; needs the npm registry, gives up after 2 minutes without it) …"
  npm ci --no-audit --no-fund --fetch-retries=1 --fetch-timeout=60000 --fetch-retry-maxtimeout=60000
fi

# build: when no build exists or any source file changed since the last one
stamp=.next/spillway-sources.sha256
sources=$( (git ls-files -co --exclude-standard 2>/dev/null || find app lib proxy.ts server.mjs next.config.mjs drizzle package-lock.json -type f) \
  | grep -E '^(app|lib|drizzle)/|^(proxy\.ts|server\.mjs|next\.config\.mjs|instrumentation\.ts|package-lock\.json|tsconfig\.json|scripts/build-workers\.mjs|scripts/node-bundle\.json)$' | grep -v '\.test\.ts$' | sort)
current=$(cat $sources | sha256sum | cut -d' ' -f1)
if [ ! -f .next/BUILD_ID ] || [ ! -f .next/spillway/ingest-worker.mjs ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$current" ]; then
  echo "spillway: building the app (next build, about a minute) …"
  npm run -s build
  echo "$current" > "$stamp"
fi

echo "spillway: starting on http://localhost:${PORT:-3000} (database ${DATABASE_URL:-file:./.data/spillway.db})"
flags=$(node scripts/server-flags.mjs)
# shellcheck disable=SC2086 # the flags are words
exec node $flags server.mjs --port "${PORT:-3000}"
