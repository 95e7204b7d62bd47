/**
 * A DACPAC URI's query (`?sv=...&sig=...`, a SAS token) is a secret: the control database keeps
 * it protected like a password, apart from the rest of the URI, and every response, log line
 * and message shows the URI without it. Only the fetch puts the two back together.
 */

/** The name a content's query is protected under: `content:<name>`. Names allow no `:`, so it never equals a credential's name (the AAD of the local key, the Key Vault secret). */
export function dacpacQuerySecretName(contentName: string): string {
  return `content:${contentName}`;
}

export interface SplitDacpacUri {
  /** Scheme, host, port and path: what may be shown. */
  shown: string;
  /** `?...` with its leading `?`, or null when the URI has none. The fragment is dropped (a download never sends it). */
  query: string | null;
}

/**
 * Splits a URI into what may be shown and its query. A text that is not a URI (only an older
 * row could hold one; the API refuses it) is shown up to its first `?` or `#`.
 */
export function splitDacpacUri(uri: string): SplitDacpacUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    const cut = uri.search(/[?#]/);
    return cut < 0 ? { shown: uri, query: null } : { shown: uri.slice(0, cut), query: uri[cut] === '?' ? uri.slice(cut).replace(/#.*$/, '') : null };
  }
  return { shown: `${url.origin}${url.pathname}`, query: url.search === '' ? null : url.search };
}

/** The URI a download uses: the shown part and the unprotected query. */
export function joinDacpacUri(shown: string, query: string | null): string {
  return query === null ? shown : `${shown}${query}`;
}
