import type { AnyRoute } from '../route';

export const executionPolicyRoutes: AnyRoute[] = [];
