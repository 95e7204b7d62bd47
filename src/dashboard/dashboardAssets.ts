/**
 * The dashboard's files: its own page script and style sheet (src/dashboard/ui), and the two
 * small libraries it is written with, served straight from their installed packages (Preact and
 * htm, by the Preact team), so nothing is fetched from a CDN at run time and nothing is built.
 * Only the names below are served: a request cannot name any other file.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface DashboardAsset {
  contentType: string;
  /** The file's text (every asset is UTF-8 text). */
  body: string;
}

const SCRIPT = 'text/javascript; charset=utf-8';

/** Where each asset lives on disk. The UI folder sits beside this module's source, also when it runs from dist/. */
function assetFiles(): Record<string, { file: string; contentType: string }> {
  const ui = [path.join(__dirname, 'ui'), path.resolve(__dirname, '..', '..', '..', 'src', 'dashboard', 'ui')].find((dir) => fs.existsSync(path.join(dir, 'app.js')));
  if (!ui) throw new Error('The dashboard files (src/dashboard/ui) are missing from this installation.');
  const beside = (resolved: string, file: string) => path.join(path.dirname(resolved), file);
  return {
    'app.js': { file: path.join(ui, 'app.js'), contentType: SCRIPT },
    'dashboard.css': { file: path.join(ui, 'dashboard.css'), contentType: 'text/css; charset=utf-8' },
    // The packages' CommonJS entries sit beside their ES modules.
    'preact.mjs': { file: beside(require.resolve('preact'), 'preact.mjs'), contentType: SCRIPT },
    'hooks.mjs': { file: beside(require.resolve('preact/hooks'), 'hooks.mjs'), contentType: SCRIPT },
    'htm.mjs': { file: beside(require.resolve('htm'), 'htm.mjs'), contentType: SCRIPT },
  };
}

let cache: Map<string, DashboardAsset> | undefined;

/** The asset of that name, or undefined for any other name. Files are read once per process. */
export function dashboardAsset(name: string): DashboardAsset | undefined {
  if (!cache) {
    cache = new Map();
    for (const [asset, { file, contentType }] of Object.entries(assetFiles())) cache.set(asset, { contentType, body: fs.readFileSync(file, 'utf8') });
  }
  return cache.get(name);
}
