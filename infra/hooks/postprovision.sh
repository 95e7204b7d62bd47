#!/bin/sh
# azd post-provision hook (POSIX): the app identity's user in the control database.
set -eu
cd "$(dirname "$0")/../.."
[ -d node_modules/mssql ] || npm ci --no-audit --no-fund
node infra/hooks/createControlDatabaseUser.js
