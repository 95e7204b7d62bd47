/**
 * Answers a request under /api/dashboard with the page or one of its assets. The page and assets
 * hold no data (everything is read through the API, with the caller's own key or session), so
 * they are served to anyone who can reach the host.
 */
import type { ApiResponse } from '../api/route';
import { problem } from '../api/problem';
import { dashboardAsset } from './dashboardAssets';
import { dashboardPage, type DashboardSettings } from './dashboardPage';

/** Path of the dashboard under the host's root. */
export const DASHBOARD_PATH = '/api/dashboard';

const NO_STORE = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };

/**
 * `rest` is what follows `/api/dashboard` (`''`, `/`, `/assets/app.js`). The page is sent with a
 * Content-Security-Policy that allows only this origin's scripts, styles and API.
 */
export function serveDashboard(rest: string, settings: DashboardSettings): ApiResponse {
  if (rest === '' || rest === '/') {
    const page = dashboardPage(settings, `${DASHBOARD_PATH}/assets/`);
    return {
      status: 200,
      body: page.html,
      headers: {
        ...NO_STORE,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': `default-src 'self'; script-src 'self' ${page.importMapHash}; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      },
    };
  }
  const m = /^\/assets\/([A-Za-z0-9._-]+)$/.exec(rest);
  const asset = m ? dashboardAsset(m[1]) : undefined;
  if (!asset) return problem(404, 'Not Found', 'No such dashboard file.');
  return { status: 200, body: asset.body, headers: { ...NO_STORE, 'content-type': asset.contentType } };
}
