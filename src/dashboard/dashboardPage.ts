/**
 * The dashboard's one HTML page. It carries the settings of the host that serves it (where the
 * API is, and how a browser authenticates there) and an import map that resolves the page
 * script's bare imports to the assets served beside it.
 */
import crypto from 'node:crypto';

/** How the page reaches the API: with the local host's API key, or with an App Service (Entra) session. */
export interface DashboardSettings {
  /** Path of the API as the browser sees it: `/api` locally, `/api/dashboard/api` in Azure. */
  apiBase: string;
  /** `key`: asked once, kept in the browser session (sessionStorage), sent as x-functions-key. `session`: App Service authentication's cookie. */
  auth: 'key' | 'session';
}

const escapeJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export interface DashboardDocument {
  html: string;
  /** CSP source of the one inline script (the import map), `'sha256-...'`. */
  importMapHash: string;
}

/** The page for `settings`; `assetBase` is the path the assets are served under (ends with `/`). */
export function dashboardPage(settings: DashboardSettings, assetBase: string): DashboardDocument {
  const importMap = escapeJson({ imports: { preact: `${assetBase}preact.mjs`, 'preact/hooks': `${assetBase}hooks.mjs`, htm: `${assetBase}htm.mjs` } });
  const importMapHash = `'sha256-${crypto.createHash('sha256').update(importMap, 'utf8').digest('base64')}'`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Elastic Jobs</title>
<link rel="stylesheet" href="${assetBase}dashboard.css">
<script type="importmap">${importMap}</script>
<script id="settings" type="application/json">${escapeJson(settings)}</script>
</head>
<body>
<div id="app"><p class="loading">Loading the dashboard…</p></div>
<noscript>The dashboard needs JavaScript. The same data is in the HTTP API and the elastic-jobs command.</noscript>
<script type="module" src="${assetBase}app.js"></script>
</body>
</html>
`;
  return { html, importMapHash };
}
