/**
 * A route of the HTTP API: its function name (what operators see in the Azure portal), method,
 * path template, the zod schemas of its input and output, and the handler. The same table
 * drives the Azure Functions registrations, the local host's router and the OpenAPI document.
 */
import type { InvocationContext } from '@azure/functions';
import type { z } from 'zod';
import type { Services } from '../services';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who may call a route: readers GET, operators everything but credentials, admins all. */
export type Access = 'read' | 'operate' | 'admin';

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  services: Services;
  /** The request's own URL, for Location headers. */
  url: URL;
  /** The Functions invocation (its durable client binding in Azure; a plain context locally). */
  invocation: InvocationContext;
  /** What the caller may do (its role), as authorization established it. */
  access?: Access;
}

export interface Route<B = unknown, Q = unknown, P = Record<string, string>> {
  name: string;
  method: Method;
  /** Azure Functions route template under /api, e.g. `jobs/{name}/executions`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The body may be left out, and then reads as `{}` (a route whose every body field is optional). */
  bodyOptional?: boolean;
  /** Status and schema of the success response, for OpenAPI. */
  success: { status: number; schema?: z.ZodType };
  /**
   * Other answers the handler itself returns (not the problem statuses every route may give, see
   * src/api/openapi.ts): a wait's 202 at its timeout, a health probe's 503. For OpenAPI.
   */
  otherResponses?: { status: number; description: string; schema?: z.ZodType }[];
  /** Served without a key or a principal (the Azure function's authLevel is anonymous): /health only. */
  anonymous?: boolean;
  handle(input: RouteInput<B, Q, P>): Promise<ApiResponse>;
}

/** Keeps the handler's input typed by the route's schemas. */
export function defineRoute<B = undefined, Q = undefined, P = Record<string, never>>(route: Route<B, Q, P>): Route<B, Q, P> {
  return route;
}

// The route table is heterogeneous; the edge only needs the erased form.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = Route<any, any, any>;
