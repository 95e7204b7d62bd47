import type { AnyRoute } from '../route';

export const contentRoutes: AnyRoute[] = [];
