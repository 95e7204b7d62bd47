import type { AnyRoute } from '../route';

export const triggerRoutes: AnyRoute[] = [];
