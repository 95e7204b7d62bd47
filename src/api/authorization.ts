/**
 * Who may call a route. In Azure, App Service authentication puts the caller's principal in
 * `x-ms-client-principal`; the Azure issue maps its app roles (Jobs.Reader, Jobs.Operator,
 * Jobs.Admin) here. Without a principal the function key (checked by the host) is admin.
 */
import type { HttpRequest } from '@azure/functions';
import type { Config } from '../config';
import type { AnyRoute } from './route';

export function authorize(_route: AnyRoute, _request: HttpRequest, _config: Config): void {
  // Function keys are enforced by the Functions host (authLevel function) and by the local host.
}
