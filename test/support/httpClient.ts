/** A small JSON client for end-to-end tests that drive a local host over HTTP. */
export interface JsonResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export function jsonClient(baseUrl: string, headers: Record<string, string> = {}) {
  const call = async (method: string, path: string, body?: unknown): Promise<JsonResponse> => {
    const res = await fetch(`${baseUrl}/${path.replace(/^\//, '')}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  /** The call, which must succeed (2xx): its body. */
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await call(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return { call, ok };
}
