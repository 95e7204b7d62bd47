/**
 * Credential scope checked before anything is written: a credential's `allowedServers` must
 * admit every server a job (or a target's own enumeration) would send it to, as far as that is
 * known in advance. Databases, servers, pools and shard-map managers name their server; a
 * custom collection names the servers of its static members, through nested collections.
 * Servers found only at run time (a shard map's shards) are checked by the expansion then.
 */
import type { Engine } from './schemas/common';
import type { Member, Target } from './schemas/target';
import { normalizeServerName } from './targetIdentity';
import { describePatterns, serverAllowed } from './serverPatterns';

export interface KnownServer {
  engine: Engine;
  serverName: string;
  /** The target that names it, for the message. */
  targetId: string;
}

export type MembersOf = (collectionId: string) => Promise<Member[]>;

/**
 * Every leaf reached through `include` memberships, minus those excluded anywhere in the tree
 * (the same target, or a database on an excluded server): an excluded member is never run, so
 * its server need not be admitted. Cycles are cut by remembering visited collections.
 */
export async function serversKnownInAdvance(target: Target, membersOf: MembersOf): Promise<KnownServer[]> {
  const included = new Map<string, Target>();
  const excluded = new Map<string, Target>();
  const visited = new Set<string>();

  async function walk(t: Target, into: Map<string, Target>, exclusions: boolean): Promise<void> {
    if (t.type !== 'customCollection') {
      into.set(t.id, t);
      return;
    }
    if (visited.has(`${t.id}:${into === included}`)) return;
    visited.add(`${t.id}:${into === included}`);
    for (const m of await membersOf(t.id)) {
      if (m.membership === 'include') await walk(m.target, into, exclusions);
      else if (exclusions) await walk(m.target, excluded, false);
    }
  }
  await walk(target, included, true);

  const serverKey = (t: Target) => `${t.engine}|${serverKeyOf(t.engine!, t.serverName!)}`;
  const excludedServers = new Set([...excluded.values()].filter((t) => t.type === 'server').map(serverKey));
  const out: KnownServer[] = [];
  for (const t of included.values()) {
    if (excluded.has(t.id)) continue;
    if (t.type === 'database' && excludedServers.has(serverKey(t))) continue;
    out.push({ engine: t.engine!, serverName: t.serverName!, targetId: t.id });
  }
  return out;
}

/** A stored name the parser refuses (a row older than the parser) stands for itself: it is never admitted anyway. */
function serverKeyOf(engine: Engine, serverName: string): string {
  try {
    return normalizeServerName(engine, serverName);
  } catch {
    return `unparsed:${serverName}`;
  }
}

/** The first server outside the patterns, as a message for a 403, or undefined when all are admitted. */
export function scopeViolation(
  credentialName: string,
  allowedServers: readonly string[],
  servers: readonly Pick<KnownServer, 'engine' | 'serverName' | 'targetId'>[],
): string | undefined {
  const refused = servers.find((s) => !serverAllowed(allowedServers, s.serverName, s.engine));
  if (!refused) return undefined;
  return `Credential '${credentialName}' may not be sent to server '${refused.serverName}' (target ${refused.targetId}): its allowedServers are ${describePatterns(allowedServers)}.`;
}
