import type { AnyRoute } from '../route';

export const jobRoutes: AnyRoute[] = [];
