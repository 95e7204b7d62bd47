/**
 * Matches a method and path under /api against the route table's Azure Functions templates
 * (`jobs/{name}/executions`), the way the Functions host does, for the local host and tests.
 */
import type { AnyRoute } from './route';

export interface RouteMatch {
  route: AnyRoute;
  params: Record<string, string>;
}

interface CompiledRoute {
  route: AnyRoute;
  pattern: RegExp;
  names: string[];
}

export function createRouter(routes: AnyRoute[]) {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        const m = /^\{(\w+)\}$/.exec(segment);
        if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return '([^/]+)';
      })
      .join('/');
    return { route, names, pattern: new RegExp(`^${source}$`) };
  });

  return {
    /** `path` is the part after `/api/`, without the query string. */
    match(method: string, path: string): RouteMatch | { allowed: string[] } | undefined {
      const allowed: string[] = [];
      for (const c of compiled) {
        const m = c.pattern.exec(path);
        if (!m) continue;
        if (c.route.method !== method) {
          allowed.push(c.route.method);
          continue;
        }
        let params: Record<string, string>;
        try {
          params = Object.fromEntries(c.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
        } catch {
          continue;
        }
        return { route: c.route, params };
      }
      return allowed.length ? { allowed } : undefined;
    },
  };
}
