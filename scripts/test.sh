#!/bin/bash
# The whole test suite: typecheck, lint and format check, production build, unit + integration tests (real libSQL files,
# radosgw on loopback, SMTP on loopback, `next start`), then Playwright e2e in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc --noEmit -p .
npm run -s lint
npm run -s build
npx vitest run
if ls e2e/*.spec.ts >/dev/null 2>&1; then npx playwright test; fi
