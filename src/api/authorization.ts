/**
 * Who may call a route. In Azure, App Service authentication validates the caller's Entra token
 * and hands the principal to the app in `x-ms-client-principal` (base64 JSON: auth_typ, claims,
 * name_typ, role_typ), stripping any copy the caller sent. Its app roles decide:
 *   read    Jobs.Reader | Jobs.Operator | Jobs.Admin
 *   operate Jobs.Operator | Jobs.Admin
 *   admin   Jobs.Admin
 * Without a principal, the function key (checked by the Functions host, or the API key on the
 * local host) is admin. Where nothing strips the header (authentication off), a principal in it
 * can only have been written by the caller, so it is refused rather than believed.
 */
import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import type { Config } from '../config';
import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import type { Access, AnyRoute } from './route';

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';

export const ROLES = { reader: 'Jobs.Reader', operator: 'Jobs.Operator', admin: 'Jobs.Admin' } as const;

const ROLES_FOR: Record<Access, readonly string[]> = {
  read: [ROLES.reader, ROLES.operator, ROLES.admin],
  operate: [ROLES.operator, ROLES.admin],
  admin: [ROLES.admin],
};

// Entra access tokens carry app roles as `roles`; App Service names its role claim type in role_typ.
const ROLES_CLAIM = 'roles';

const ClientPrincipal = z.object({
  auth_typ: z.string().min(1),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
});
export type ClientPrincipal = z.infer<typeof ClientPrincipal>;

/** The principal in the header, or UnauthorizedError when it is not one. */
export function parseClientPrincipal(header: string): ClientPrincipal {
  const malformed = () => new UnauthorizedError(`The ${CLIENT_PRINCIPAL_HEADER} header is not a valid client principal.`);
  const text = header.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) throw malformed();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw malformed();
  }
  const parsed = ClientPrincipal.safeParse(value);
  if (!parsed.success) throw malformed();
  return parsed.data;
}

export function rolesOf(principal: ClientPrincipal): Set<string> {
  const roleTypes = new Set([ROLES_CLAIM, principal.role_typ].filter((t): t is string => !!t));
  return new Set(principal.claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val));
}

/** The highest access a set of app roles grants, or undefined when none of ours is among them. */
export function accessOfRoles(roles: ReadonlySet<string>): Access | undefined {
  return (['admin', 'operate', 'read'] as const).find((access) => ROLES_FOR[access].some((r) => roles.has(r)));
}

const RANK: Record<Access, number> = { read: 0, operate: 1, admin: 2 };

/**
 * Decides whether the caller may call `route`, and returns what the caller may do (for the
 * dashboard, which shows only the actions a role allows). `keyAccess` is what the caller's key
 * grants: admin for a function key or the local API key, read for the local reader key.
 * Throws UnauthorizedError (no principal where one is required, or a principal that cannot be
 * believed) or ForbiddenError (a role too low for the route).
 */
export function authorize(route: AnyRoute, request: HttpRequest, config: Config, keyAccess: Access = 'admin', options: { principalRequired?: boolean } = {}): Access {
  const header = request.headers.get(CLIENT_PRINCIPAL_HEADER);
  if (header === null) {
    if (options.principalRequired) throw new UnauthorizedError('Sign in first: this route takes the App Service authentication session, not a key.');
    if (RANK[keyAccess] < RANK[route.access]) throw new ForbiddenError(`${route.name} needs the ${route.access === 'operate' ? 'operator' : route.access} role; this key grants ${keyAccess === 'read' ? 'the reader role' : keyAccess}.`);
    return keyAccess;
  }
  if (!config.trustClientPrincipal) {
    throw new UnauthorizedError(`The ${CLIENT_PRINCIPAL_HEADER} header is only accepted when App Service authentication is on.`);
  }
  const roles = rolesOf(parseClientPrincipal(header));
  const allowed = ROLES_FOR[route.access];
  if (!allowed.some((r) => roles.has(r))) {
    throw new ForbiddenError(`${route.name} needs one of the app roles ${allowed.join(', ')}.`);
  }
  return accessOfRoles(roles)!;
}
