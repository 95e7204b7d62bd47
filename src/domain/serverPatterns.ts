/**
 * `allowedServers` of a credential: glob patterns over server names. A credential is never sent
 * to a server outside its patterns. Matching is case-insensitive on the host part; `*` matches
 * any run of characters (dots included), `?` one character. A port in the server name
 * (`host,1433`, `host:5432`) is matched too when the pattern names one, ignored when it does not.
 */
function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

function withoutPort(serverName: string): string {
  const m = /^(.*?)(?:[,:]\d+)$/.exec(serverName);
  return m ? m[1] : serverName;
}

export function serverAllowed(patterns: readonly string[], serverName: string): boolean {
  return patterns.some((p) => globToRegExp(p).test(serverName) || globToRegExp(p).test(withoutPort(serverName)));
}

export function describePatterns(patterns: readonly string[]): string {
  return patterns.map((p) => `'${p}'`).join(', ');
}
