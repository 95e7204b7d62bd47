/**
 * From an Azure Functions HttpRequest to a route's typed input and back: body size, JSON
 * content type and syntax, zod validation of body, query and path, authorization, and the
 * mapping of every error to problem details. The local host wraps the same function, so both hosts behave alike.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors';
import type { Services } from '../services';
import { authorize } from './authorization';
import { problemFromError } from './problem';
import type { Access, AnyRoute, ApiResponse } from './route';
import { parseOrThrow } from './validation';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Query parameters the host itself uses (`code` carries an Azure function key). */
const HOST_QUERY_PARAMETERS = new Set(['code']);

async function readBody(request: HttpRequest): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw new PayloadTooLargeError(`The request body is over ${MAX_BODY_BYTES} bytes.`);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`The request body is over ${MAX_BODY_BYTES} bytes.`);
  return bytes.toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message can quote the body (a password among it): say where, not what.
    throw new ValidationError('The request body is not valid JSON.', [{ path: 'body', message: 'is not valid JSON' }]);
  }
}

// RFC 8259 §11 (application/json; no charset parameter is defined, utf-8 is tolerated) and
// RFC 6839 §3.1 (the +json structured syntax suffix).
const JSON_MEDIA_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.-]+\+json)$/;

/**
 * Whether a Content-Type names JSON: `application/json` or `application/<x>+json`, with no
 * parameter but `charset=utf-8`. Anything else is refused (415) when a body is sent: form and
 * text/plain posts are what a web page on another origin can send without asking, and the body
 * is read as UTF-8 only.
 */
export function isJsonContentType(contentType: string | null | undefined): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (!JSON_MEDIA_TYPE.test(type)) return false;
  return parameters.every((p) => p === '' || /^charset\s*=\s*"?utf-8"?$/.test(p));
}

async function parseBody(route: AnyRoute, request: HttpRequest): Promise<unknown> {
  const raw = await readBody(request);
  if (raw.length > 0 && !isJsonContentType(request.headers.get('content-type'))) {
    throw new UnsupportedMediaTypeError('A request body must be JSON: send it with content-type application/json.');
  }
  const text = raw.trim();
  if (!route.body) {
    if (text === '') return undefined;
    const value = parseJson(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
    throw new ValidationError('This route takes no request body.', [{ path: 'body', message: 'must be empty' }]);
  }
  if (text === '') {
    if (route.bodyOptional) return parseOrThrow(route.body, {}, 'body');
    throw new ValidationError('A JSON request body is required.', [{ path: 'body', message: 'is required' }]);
  }
  return parseOrThrow(route.body, parseJson(text), 'body');
}

function parseQuery(route: AnyRoute, request: HttpRequest): unknown {
  if (!route.query) return {};
  const raw: Record<string, string> = {};
  request.query.forEach((value, key) => {
    if (!HOST_QUERY_PARAMETERS.has(key)) raw[key] = value;
  });
  return parseOrThrow(route.query, raw, 'query');
}

/** Path parameters with a fixed form: `id`, `memberTargetId`, `version`. */
const FIXED_FORM_PARAM = /^(id|\w+Id|version)$/;

function parseParams(route: AnyRoute, request: HttpRequest): unknown {
  if (!route.params) return request.params;
  const result = route.params.safeParse(request.params);
  if (result.success) return result.data;
  // An id (a UUID) or a version number has a fixed form: a malformed one is the caller's mistake,
  // a 400 naming the parameter, on every route. A name has no such form: one that cannot be
  // valid cannot name an existing object either, so it is a 404 like any unknown name.
  const fixedForm = result.error.issues.filter((i) => FIXED_FORM_PARAM.test(String(i.path[0])));
  if (fixedForm.length) {
    const errors = fixedForm.map((i) => ({ path: `path.${String(i.path[0])}`, message: i.message }));
    throw new ValidationError(`The request path is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
  const [key, value] = Object.entries(request.params)[0] ?? ['object', ''];
  throw new NotFoundError(key, value);
}

export function toHttpResponse(response: ApiResponse): HttpResponseInit {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  if (response.body === undefined) return { status: response.status, headers };
  // A body that already has its type (the dashboard's page and files) goes out as it is.
  if (typeof response.body === 'string' && headers['content-type'] && !headers['content-type'].includes('json')) return { status: response.status, headers, body: response.body };
  if (!headers['content-type']) headers['content-type'] = 'application/json; charset=utf-8';
  return { status: response.status, headers, body: JSON.stringify(response.body) };
}

/**
 * Who is calling, as the host established it before the route runs: what the caller's key grants
 * (`admin` for a function key or the local API key, `read` for the local reader key), and
 * whether only an App Service authentication session is accepted (the dashboard's routes in Azure).
 */
export interface CallerContext {
  keyAccess?: Access;
  principalRequired?: boolean;
}

export async function invokeRoute(route: AnyRoute, request: HttpRequest, invocation: InvocationContext, services: Services, caller: CallerContext = {}): Promise<ApiResponse> {
  try {
    const access = authorize(route, request, services.config, caller.keyAccess, { principalRequired: caller.principalRequired });
    const params = parseParams(route, request);
    const query = parseQuery(route, request);
    const body = await parseBody(route, request);
    return await route.handle({ body, query, params, services, url: new URL(request.url), invocation, access });
  } catch (error) {
    const { response, unexpected } = problemFromError(error);
    if (unexpected) {
      services.logger.error('Unexpected error in HTTP handler', {
        function: route.name,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
    return response;
  }
}

/** The Azure Functions handler of a route; services are built once per process, on first use. */
export function httpHandler(route: AnyRoute, getServices: () => Promise<Services>): HttpHandler {
  return async (request, invocation) => toHttpResponse(await invokeRoute(route, request, invocation, await getServices()));
}
