#!/usr/bin/env node
// The `elastic-jobs` command: the compiled CLI when `npm run build` has made one, otherwise
// the TypeScript source through ts-node (transpile only), so `npx elastic-jobs` works on a
// fresh clone after `npm ci`. ELASTIC_JOBS_CLI_FROM_SOURCE=1 forces the source (a stale dist/
// must not hide a change, e.g. in tests).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist', 'src', 'cli', 'main.js');

if (process.env.ELASTIC_JOBS_CLI_FROM_SOURCE !== '1' && fs.existsSync(compiled)) {
  require(compiled).main();
} else {
  require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
  require(path.join(root, 'src', 'cli', 'main.ts')).main();
}
