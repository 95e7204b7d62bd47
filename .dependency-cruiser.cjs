/**
 * The layers of DESIGN.md ("Shape" and "Layout"), checked on every `npm test` (`npm run depcheck`):
 * an import across a line below fails the run. Type-only imports count (tsPreCompilationDeps):
 * a type shared by two layers belongs to the lower one (src/domain), not to the higher.
 *
 *   functions/  ─► src entry points only (wiring, no logic)
 *   src/local, src/cli, src/azure, src/dashboard, src/api, src/scheduler  (hosts and handlers)
 *   src/execution  (orchestrators: deterministic, contracts and domain only; activities)
 *   src/control | src/targets, src/secrets, src/results, src/dacpac   (I/O, below the engine)
 *   src/domain  (pure rules and types: imports no other layer)
 * src/config.ts reads the environment once and is handed down: no lower layer imports it, and it
 * imports only src/domain.
 */

/** Layers below the engine: they never reach up into it or into a host. */
const LOWER = ['domain', 'control', 'targets', 'secrets', 'results', 'dacpac'];
/** Layers that drive or host the engine. */
const UPPER = ['execution', 'scheduler', 'api', 'local', 'cli', 'dashboard', 'azure'];

/** What functions/ may import: the modules that src/ offers the Azure Functions host (add one here, not logic there). */
const FUNCTION_ENTRY_POINTS = [
  '^src/azure/',
  '^src/api/edge\\.ts$',
  '^src/api/routes/index\\.ts$',
  '^src/dashboard/azureDashboard\\.ts$',
  '^src/execution/contracts\\.ts$',
  '^src/execution/activities/index\\.ts$',
  '^src/execution/orchestrators/index\\.ts$',
  '^src/scheduler/schedulerTick\\.ts$',
  '^src/scheduler/housekeeping\\.ts$',
  '^src/notifications/deliverDueNotifications\\.ts$',
];

const inLayers = (layers) => `^src/(${layers.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds pure rules and types: it imports no other part of the product (DESIGN.md, Layout).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^(src|functions|test|bench|bin)/', pathNot: '^src/domain/' },
    },
    {
      name: 'control-below-the-engine',
      comment:
        'src/control is the control database only: it imports src/domain and the leaf helpers (logging, private files, the one tedious TLS guard), never the engine, a host or another I/O layer.',
      severity: 'error',
      from: { path: '^src/control/' },
      to: {
        path: '^src/',
        pathNot: ['^src/control/', '^src/domain/', '^src/logging\\.ts$', '^src/privateFiles\\.ts$', '^src/targets/tediousTls\\.ts$'],
      },
    },
    {
      name: 'lower-layers-do-not-reach-up',
      comment: 'Drivers, secrets, result writers and the DACPAC publisher know nothing of the control database, the engine or a host.',
      severity: 'error',
      from: { path: inLayers(['targets', 'secrets', 'results', 'dacpac']) },
      to: { path: [inLayers(['control', ...UPPER]), '^src/services\\.ts$'] },
    },
    {
      name: 'config-imported-by-no-lower-layer',
      comment: 'Configuration is read once in src/config.ts and handed down as values: a lower layer declares the shape it takes instead.',
      severity: 'error',
      from: { path: inLayers(LOWER) },
      to: { path: '^src/config\\.ts$' },
    },
    {
      name: 'config-imports-only-domain',
      comment: 'src/config.ts parses settings with the pure rules of src/domain; it opens nothing.',
      severity: 'error',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'orchestrators-are-deterministic',
      comment: 'Orchestrators replay: they import only contracts.ts, each other and src/domain, never a store, a driver or a clock (DESIGN.md, Shape).',
      severity: 'error',
      from: { path: '^src/execution/orchestrators/' },
      to: { path: '^src/', pathNot: ['^src/execution/orchestrators/', '^src/execution/contracts\\.ts$', '^src/domain/'] },
    },
    {
      name: 'src-knows-no-host-registration-or-test',
      comment: 'src/ is the product: it never imports functions/ (Azure registrations), test/, bench/ or bin/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(functions|test|bench|bin)/' },
    },
    {
      name: 'functions-import-only-entry-points',
      comment: 'functions/ holds registrations only: each hands over to an entry point of src/ (FUNCTION_ENTRY_POINTS in .dependency-cruiser.cjs).',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^src/', pathNot: FUNCTION_ENTRY_POINTS },
    },
    {
      name: 'no-unresolvable-relative-import',
      comment: 'A relative import that resolves to nothing would hide an edge from every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
