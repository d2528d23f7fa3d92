#!/bin/sh
# Refresh the vendored axe-core used by test_phone_crawl.py: the version is pinned in package.json
# (and package-lock.json); change it there, then run this script and commit vendor/axe.min.js.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
cp node_modules/axe-core/axe.min.js vendor/axe.min.js
node -e 'console.log("axe-core " + require("./node_modules/axe-core/package.json").version + " -> vendor/axe.min.js")'
