/** `npm run docs:api`: writes docs/api.md from the route table (src/api/apiReference.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { renderApiReference } from '../src/api/apiReference';
import { routes } from '../src/api/routes';

fs.writeFileSync(path.join(__dirname, '..', 'docs', 'api.md'), renderApiReference(routes));
