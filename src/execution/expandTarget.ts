/**
 * Resolves a target into the databases it stands for right now: a database is itself; a server,
 * an elastic pool or a shard map is enumerated on the spot with the target's own credential
 * (read-only, and only on the server or shard map manager, never on the databases listed); a
 * custom collection is the union of its included members, recursively, minus every database
 * reached through an exclusion anywhere in the tree (exclude wins). Databases are de-duplicated
 * by engine, normalised server and name.
 */
import { targetStore } from '../control/stores/targetStore';
import { ForbiddenError } from '../domain/errors';
import type { FoundBy } from '../domain/missingDatabase';
import type { Target, TargetDatabase } from '../domain/schemas/target';
import { describePatterns, serverAllowed } from '../domain/serverPatterns';
import { databaseKey } from '../domain/targetIdentity';
import type { Services } from '../services';
import { PermanentTargetError } from '../targets/errors';
import { allowedServersOf, scopedCredential } from './connectionCredential';

export interface ExpandedDatabase extends TargetDatabase {
  /** Whether the job credential's allowedServers admit this database's server (true when no job credential is given). */
  allowed: boolean;
  /** `named` when a database target (alone or in a collection) names it, else `enumerated` (server, pool, shard map); named wins when both reach it. */
  foundBy: FoundBy;
}

/** Online, in the Elastic Database client library's ShardsGlobal.Status. */
const SHARD_ONLINE = 1;

// One key per database however its server is spelled: shared with the canary's names.
export { databaseKey };

export async function expandTarget(services: Services, targetId: string, jobCredentialName?: string): Promise<ExpandedDatabase[]> {
  const targets = targetStore(services.control);
  const root = await targets.get(targetId);
  const included = new Map<string, TargetDatabase & { foundBy: FoundBy }>();
  const excluded = new Set<string>();
  const visited = new Set<string>();
  const enumerated = new Map<string, TargetDatabase[]>();

  async function databasesOf(t: Target): Promise<TargetDatabase[]> {
    let found = enumerated.get(t.id);
    if (!found) {
      found = await enumerate(services, t);
      enumerated.set(t.id, found);
    }
    return found;
  }

  // Inside an excluded collection only its includes count: an exclusion of an exclusion does not bring a database back.
  async function walk(t: Target, exclusion: boolean): Promise<void> {
    if (t.type !== 'customCollection') {
      const foundBy: FoundBy = t.type === 'database' ? 'named' : 'enumerated';
      for (const d of await databasesOf(t)) {
        const key = databaseKey(d);
        const seen = included.get(key);
        if (exclusion) excluded.add(key);
        else if (!seen) included.set(key, { ...d, foundBy });
        // Named anywhere in the tree, the user expects it to exist, even if a server lists it too.
        else if (foundBy === 'named') seen.foundBy = 'named';
      }
      return;
    }
    const visit = `${t.id}:${exclusion}`;
    if (visited.has(visit)) return;
    visited.add(visit);
    for (const m of await targets.members(t.id)) {
      if (m.membership === 'include') await walk(m.target, exclusion);
      else if (!exclusion) await walk(m.target, true);
    }
  }
  await walk(root, false);

  const patterns = jobCredentialName === undefined ? undefined : await allowedServersOf(services, jobCredentialName);
  return [...included]
    .filter(([key]) => !excluded.has(key))
    .map(([, d]) => ({ ...d, allowed: patterns === undefined || serverAllowed(patterns, d.serverName, d.engine) }));
}

/** Asks the server, pool or shard map manager for its databases, with the target's own credential, after checking that credential may go there. */
async function enumerate(services: Services, t: Target): Promise<TargetDatabase[]> {
  const engine = t.engine ?? 'sqlserver';
  if (t.type === 'database') return [{ engine, serverName: t.serverName!, databaseName: t.databaseName! }];
  const scoped = await scopedCredential(services, t.credentialName!);
  if (!serverAllowed(scoped.allowedServers, t.serverName!, engine)) {
    throw new ForbiddenError(
      `Credential '${scoped.name}' of target ${t.id} may not be sent to server '${t.serverName}': its allowedServers are ${describePatterns(scoped.allowedServers)}.`,
    );
  }
  const driver = services.drivers.driverFor(engine);
  const onServer = (names: string[]) => names.map((databaseName) => ({ engine, serverName: t.serverName!, databaseName }));
  switch (t.type) {
    case 'server':
      return onServer(await driver.listDatabases(t.serverName!, scoped.credential));
    case 'elasticPool':
      if (!driver.listElasticPoolDatabases) throw new PermanentTargetError(`The ${engine} engine has no elastic pools (target ${t.id}).`);
      return onServer(await driver.listElasticPoolDatabases(t.serverName!, t.elasticPoolName!, scoped.credential));
    case 'shardMap': {
      const shards = await driver.readShardMap({ engine, serverName: t.serverName!, databaseName: t.databaseName! }, t.shardMapName!, scoped.credential);
      return shards.filter((s) => s.status === SHARD_ONLINE).map((s) => ({ engine: s.engine, serverName: s.serverName, databaseName: s.databaseName }));
    }
    default:
      throw new Error(`Target type '${t.type}' has no databases of its own.`);
  }
}
