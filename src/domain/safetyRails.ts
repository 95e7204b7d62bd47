/**
 * The safety rails of a fleet change (issue "safety rails"): a canary wave, a failure threshold,
 * and a cap per server. Pure rules, applied at expansion (which databases are the canary, how
 * many failures stop the starting) and by the work queue's claim (src/control/stores/
 * executions/workQueue.ts).
 */
import type { TargetDatabase } from './schemas/target';
import type { Canary, FailureThreshold } from './schemas/job';
import { databaseKey } from './targetIdentity';

/** What a job execution snapshots of its job's rails at start. */
export interface SafetyRails {
  canary: Canary | null;
  failureThreshold: FailureThreshold | null;
  maxParallelismPerServer: number | null;
}

export const NO_RAILS: SafetyRails = { canary: null, failureThreshold: null, maxParallelismPerServer: null };

/** Wave of a child: the canary's run first, the others once every canary Succeeded. */
export const CANARY_WAVE = 0;
export const MAIN_WAVE = 1;

/**
 * How many failed (Failed or TimedOut) children stop the starting, of `total` children: the
 * count, or the percentage of all children rounded up (at least one), whichever comes first;
 * null without a threshold.
 */
export function failureLimit(threshold: FailureThreshold | null, total: number): number | null {
  if (!threshold) return null;
  const byCount = threshold.count ?? Number.POSITIVE_INFINITY;
  const byPercent = threshold.percent === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.ceil((threshold.percent * total) / 100));
  return Math.min(byCount, byPercent);
}

/**
 * The canary databases among `databases`: the first `targets` by server then database name, or
 * those named in `databases` (matched by normalized server address and database name). Throws
 * an Error naming each one the canary lists that is not among the job's databases.
 */
export function canaryDatabases(canary: Canary, databases: readonly TargetDatabase[]): Set<string> {
  if (canary.targets !== undefined) {
    const ordered = [...databases].sort((a, b) => (a.serverName === b.serverName ? a.databaseName.localeCompare(b.databaseName) : a.serverName < b.serverName ? -1 : 1));
    return new Set(ordered.slice(0, canary.targets).map(databaseKey));
  }
  const present = new Set(databases.map(databaseKey));
  const engine = databases[0]?.engine ?? 'sqlserver';
  const named = (canary.databases ?? []).map((d) => ({ ...d, key: databaseKey({ engine, ...d }) }));
  const missing = named.filter((d) => !present.has(d.key));
  if (missing.length > 0) {
    throw new Error(`the canary names ${missing.map((d) => `${d.serverName}/${d.databaseName}`).join(', ')}, not among the job's databases`);
  }
  return new Set(named.map((d) => d.key));
}

export { databaseKey };
