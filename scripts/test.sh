#!/bin/bash
# The whole test suite: typecheck, lint and format check, production build, unit + integration tests (real libSQL files,
# radosgw on loopback, SMTP on loopback, `next start`), then Playwright e2e in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
# the last run's database files (one per test, ~370 MB a run) go now: kept until here for a look at a
# failure, they filled a disk over many runs
rm -rf .tmp/test-db
npx tsc --noEmit -p .
npm run -s lint
npm run -s build
npx vitest run
if ls e2e/*.spec.ts >/dev/null 2>&1; then npx playwright test; fi
