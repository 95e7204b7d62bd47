import type { AnyRoute } from '../route';

export const targetRoutes: AnyRoute[] = [];
