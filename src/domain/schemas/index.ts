export * from './common';
export * from './credential';
export * from './content';
export * from './target';
export * from './executionPolicy';
export * from './job';
export * from './schedule';
export * from './execution';
