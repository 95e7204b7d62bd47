import type { AnyRoute } from '../route';

export const scheduleRoutes: AnyRoute[] = [];
