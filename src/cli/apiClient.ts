/**
 * The CLI's only way to the product: HTTP to the API of a local host or an Azure deployment.
 * Problem details come back as ApiError, a connection that never happened as
 * ApiUnreachableError, so each maps to its own exit code.
 */
import type { Page } from '../domain/schemas/common';

export const DEFAULT_API_URL = 'http://127.0.0.1:7071';
const DEFAULT_TIMEOUT_MS = 60_000;

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
}

/** The API answered, and said no. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly problem: ProblemDetails | undefined,
  ) {
    super(problem?.detail ?? `HTTP ${status} ${statusText}`);
    this.name = 'ApiError';
  }
}

/** No answer at all: refused, unknown host, TLS failure, timeout. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the Elastic Jobs API at ${url} (${reason})`);
    this.name = 'ApiUnreachableError';
  }
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  timeoutMs?: number;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/**
 * `http://host:7071`, `http://host:7071/`, `https://app.azurewebsites.net/api` all name the
 * same API root: `.../api`.
 */
export function apiRoot(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url must be an http(s) URL such as ${DEFAULT_API_URL}, not '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--url must be an http(s) URL such as ${DEFAULT_API_URL}, not '${url}'`);
  parsed.search = '';
  parsed.hash = '';
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/api') ? path : `${path}/api`;
  return parsed.toString();
}

/** One path segment: names may hold spaces and dots. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

function reasonOf(error: unknown): string {
  // Duck-typed: fetch's errors may come from another realm, where instanceof Error is false.
  const { name, message, cause } = (error ?? {}) as { name?: string; message?: string; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return 'no answer in time';
  if (cause && typeof cause === 'object') {
    const inner = cause as { code?: string; message?: string };
    if (inner.code) return inner.code;
    if (inner.message) return inner.message;
  }
  return message ?? String(error);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface ApiClient {
  readonly root: string;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T>(path: string, query?: Record<string, QueryValue>): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** Every page of a list route, or just one when `limit` is given. */
  list<T>(path: string, query?: Record<string, QueryValue>): Promise<Page<T>>;
}

export function createApiClient(url: string, key?: string): ApiClient {
  const root = apiRoot(url);

  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const target = new URL(`${root}/${path.replace(/^\//, '')}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) target.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (key) headers['x-functions-key'] = key;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiUnreachableError(root, reasonOf(error));
    }
    let body: unknown;
    try {
      body = await readBody(response);
    } catch (error) {
      throw new ApiUnreachableError(root, reasonOf(error));
    }
    if (response.status >= 400) {
      const problem = body !== null && typeof body === 'object' ? (body as ProblemDetails) : undefined;
      throw new ApiError(response.status, response.statusText, problem);
    }
    return { status: response.status, body: body as T };
  }

  return {
    root,
    request,
    async get<T>(path: string, query?: Record<string, QueryValue>) {
      return (await request<T>('GET', path, { query })).body;
    },
    async post<T>(path: string, body?: unknown) {
      return (await request<T>('POST', path, { body })).body;
    },
    async put<T>(path: string, body: unknown) {
      return (await request<T>('PUT', path, { body })).body;
    },
    async delete(path: string) {
      await request('DELETE', path);
    },
    async list<T>(path: string, query: Record<string, QueryValue> = {}) {
      if (query.limit !== undefined) return (await request<Page<T>>('GET', path, { query })).body;
      const items: T[] = [];
      let cursor = query.cursor;
      do {
        const page = (await request<Page<T>>('GET', path, { query: { ...query, cursor, limit: 1000 } })).body;
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return { items, nextCursor: null };
    },
  };
}
