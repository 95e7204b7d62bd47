import type { Kysely, Migration } from 'kysely';
import { CreateTarget } from '../../domain/schemas/target';
import { targetIdentityKey } from '../../domain/targetIdentity';
import { createLogger } from '../../logging';

/**
 * Target identity keys recomputed with the one server-address parser: `srv:1433`, `tcp:srv,1433`
 * and `srv` now make one key, where the old readings made three. Rows are never deleted and
 * start-up never fails here: when two rows now name one thing, the oldest (or the one already
 * holding the key) takes it and the others keep their old key, and every such id is reported
 * (a warning log line, and `report` for callers). A row whose server name the parser refuses
 * keeps its key and is reported too: it can no longer be connected to, and its id tells the user
 * which target to replace.
 *
 * The `identity_key` column is UNIQUE on all three dialects (a plain unique constraint, checked
 * per statement), so keys that move are first set to a per-row placeholder, then to their final
 * value: no statement ever holds one key on two rows.
 */

export interface IdentityRow {
  id: string;
  identityKey: string;
  /** The key under the new parser, or null when the row's server name is refused. */
  newKey: string | null;
  createdAt: string;
}

export interface IdentityPlan {
  /** Final keys of the rows whose key changes. */
  updates: { id: string; identityKey: string }[];
  /** Rows that name what another row names: each keeps its old key; `sameAs` holds the key. */
  duplicates: { id: string; sameAs: string }[];
  /** Rows whose server name the parser refuses: each keeps its old key. */
  unparsable: string[];
}

/** The keys every row ends with: unique, as close to the new keys as uniqueness allows. Pure. */
export function planIdentityKeys(rows: readonly IdentityRow[]): IdentityPlan {
  const desired = new Map(rows.map((r) => [r.id, r.newKey ?? r.identityKey]));
  const duplicates: IdentityPlan['duplicates'] = [];
  const order = [...rows].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  // Each round sends every loser back to its old key; old keys are unique, so this ends.
  for (;;) {
    const holders = new Map<string, IdentityRow[]>();
    for (const r of order) {
      const key = desired.get(r.id)!;
      holders.set(key, [...(holders.get(key) ?? []), r]);
    }
    const clashes = [...holders.entries()].filter(([, group]) => group.length > 1);
    if (clashes.length === 0) break;
    for (const [key, group] of clashes) {
      // A row already holding the key keeps it (nothing moves); else the oldest takes it.
      const winner = group.find((r) => r.identityKey === key) ?? group[0];
      for (const loser of group) {
        if (loser === winner) continue;
        desired.set(loser.id, loser.identityKey);
        duplicates.push({ id: loser.id, sameAs: winner.id });
      }
    }
  }
  return {
    updates: rows.filter((r) => desired.get(r.id) !== r.identityKey).map((r) => ({ id: r.id, identityKey: desired.get(r.id)! })),
    duplicates,
    unparsable: rows.filter((r) => r.newKey === null).map((r) => r.id),
  };
}

type TargetRow = Record<string, string | null>;

/** The CamelCasePlugin of the control database renames result columns; read either spelling. */
const column = (row: TargetRow, snake: string, camel: string) => (row[camel] !== undefined ? row[camel] : row[snake]) ?? undefined;

/** A timestamp as ISO text, so rows order the same on every dialect (PostgreSQL returns a Date). */
function createdAtOf(row: TargetRow): string {
  const value = (row.createdAt ?? row.created_at) as unknown;
  return value instanceof Date ? value.toISOString() : String(value);
}

function newKeyOf(row: TargetRow): string | null {
  const type = column(row, 'type', 'type');
  if (type === 'customCollection') return column(row, 'identity_key', 'identityKey')!;
  const candidate = {
    type,
    engine: column(row, 'engine', 'engine'),
    serverName: column(row, 'server_name', 'serverName'),
    databaseName: column(row, 'database_name', 'databaseName'),
    elasticPoolName: column(row, 'elastic_pool_name', 'elasticPoolName'),
    shardMapName: column(row, 'shard_map_name', 'shardMapName'),
    credentialName: column(row, 'credential_name', 'credentialName'),
  };
  const parsed = CreateTarget.safeParse(Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined)));
  return parsed.success ? targetIdentityKey(parsed.data) : null;
}

function logReport(plan: IdentityPlan): void {
  if (plan.duplicates.length === 0 && plan.unparsable.length === 0) return;
  createLogger('info').warn('Migration 0005_server_identity: some targets kept their old identity key', {
    duplicateTargets: plan.duplicates.map((d) => `${d.id} names what ${d.sameAs} names`).join('; ') || null,
    unparsableTargets: plan.unparsable.join(', ') || null,
    advice: 'Delete the duplicate targets (or move their jobs to the target they repeat); recreate an unparsable one with an accepted serverName.',
  });
}

export function serverIdentity(report: (plan: IdentityPlan) => void = logReport): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      const rows = (await db.selectFrom('targets').selectAll().execute()) as TargetRow[];
      const plan = planIdentityKeys(
        rows.map((r) => ({
          id: column(r, 'id', 'id')!,
          identityKey: column(r, 'identity_key', 'identityKey')!,
          newKey: newKeyOf(r),
          createdAt: createdAtOf(r),
        })),
      );
      for (const u of plan.updates) await db.updateTable('targets').set({ identity_key: `migrating:${u.id}` }).where('id', '=', u.id).execute();
      for (const u of plan.updates) await db.updateTable('targets').set({ identity_key: u.identityKey }).where('id', '=', u.id).execute();
      report(plan);
    },
  };
}
