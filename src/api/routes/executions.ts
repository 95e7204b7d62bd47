import type { AnyRoute } from '../route';

export const executionRoutes: AnyRoute[] = [];
