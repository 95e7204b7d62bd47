/**
 * `elastic-jobs target ...`: databases, servers, elastic pools, shard maps and custom
 * collections (the seed's New-AzureSqlJobTarget, Add-/Remove-AzureSqlJobChildTarget).
 */
import type { Command } from 'commander';
import type { Member, Target, TargetDatabase } from '../../domain/schemas/target';
import { segment } from '../apiClient';
import { UsageError } from '../errorText';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime, Session } from '../session';
import { ensureDatabaseTarget, resolveTargetId } from '../targetReference';

/** What names a target within its type: the collection's name, the database, pool or shard map. */
function targetName(t: Target): string | undefined {
  switch (t.type) {
    case 'customCollection':
      return t.name;
    case 'elasticPool':
      return t.elasticPoolName;
    case 'shardMap':
      return `${t.shardMapName} in ${t.databaseName}`;
    case 'server':
      return '(all databases)';
    default:
      return t.databaseName;
  }
}

const columns: Column<Target>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'TYPE', value: (t) => t.type },
  { header: 'ENGINE', value: (t) => t.engine },
  { header: 'SERVER', value: (t) => t.serverName, max: 50 },
  { header: 'NAME', value: (t) => targetName(t), max: 50 },
  { header: 'CREDENTIAL', value: (t) => t.credentialName },
];

const memberColumns: Column<Member>[] = [
  { header: 'MEMBERSHIP', value: (m) => m.membership },
  ...columns.map((c): Column<Member> => ({ ...c, value: (m) => c.value(m.target) })),
];

const databaseColumns: Column<TargetDatabase>[] = [
  { header: 'ENGINE', value: (d) => d.engine },
  { header: 'SERVER', value: (d) => d.serverName },
  { header: 'DATABASE', value: (d) => d.databaseName },
];

const fields: Field<Target>[] = [
  { label: 'Id', value: (t) => t.id },
  { label: 'Type', value: (t) => t.type },
  { label: 'Engine', value: (t) => t.engine },
  { label: 'Server', value: (t) => t.serverName },
  { label: 'Name', value: (t) => targetName(t) },
  { label: 'Credential', value: (t) => t.credentialName },
  { label: 'Created', value: (t) => shortTime(t.createdAt) },
];

type ItemsOf<T> = { items: T[]; nextCursor?: string | null };

async function create(session: Session, body: Record<string, unknown>): Promise<void> {
  const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  session.out.item(await session.client.post<Target>('targets', clean), fields);
}

async function members(session: Session, collectionId: string): Promise<ItemsOf<Member>> {
  return session.client.get<ItemsOf<Member>>(`targets/${segment(collectionId)}/members`);
}

function engineOption(command: Command): Command {
  return command.option('-e, --engine <engine>', 'sqlserver (default), postgres or sqlite');
}

interface DatabaseOptions {
  engine?: string;
  server?: string;
  database?: string;
}

/** A member named by id, or by --server and --database (a database target, created if needed). */
async function memberId(session: Session, reference: string | undefined, opts: DatabaseOptions): Promise<string> {
  const bySpec = opts.server !== undefined || opts.database !== undefined;
  if (reference !== undefined && bySpec) throw new UsageError('name the member by its target id or by --server and --database, not both');
  if (reference !== undefined) return resolveTargetId(session.client, reference);
  if (opts.server === undefined || opts.database === undefined) throw new UsageError('give the member target id, or --server and --database');
  return ensureDatabaseTarget(session.client, { engine: opts.engine, serverName: opts.server, databaseName: opts.database });
}

export function registerTargetCommands(program: Command, runtime: Runtime): void {
  const target = program.command('target').description('the databases jobs run against: one, a server, a pool, a shard map, or a custom collection');

  engineOption(target.command('add-database').description('a single database'))
    .requiredOption('-s, --server <server>', 'server (sqlserver: host[,port]; postgres: host[:port]; sqlite: a folder under the host\'s sqlite root)')
    .requiredOption('-d, --database <database>', 'database name (sqlite: a file in the folder)')
    .action(async (opts: Required<Omit<DatabaseOptions, 'engine'>> & DatabaseOptions, command: Command) => {
      await create(runtime.session(command), { type: 'database', engine: opts.engine, serverName: opts.server, databaseName: opts.database });
    });

  engineOption(target.command('add-server').description('every user database on a server, listed at each execution'))
    .requiredOption('-s, --server <server>', 'server name')
    .requiredOption('-c, --credential <name>', 'credential that lists the databases')
    .action(async (opts: { engine?: string; server: string; credential: string }, command: Command) => {
      await create(runtime.session(command), { type: 'server', engine: opts.engine, serverName: opts.server, credentialName: opts.credential });
    });

  target
    .command('add-pool')
    .description('every database in an Azure SQL elastic pool')
    .requiredOption('-s, --server <server>', 'logical server name')
    .requiredOption('-p, --pool <name>', 'elastic pool name')
    .requiredOption('-c, --credential <name>', 'credential that lists the pool\'s databases')
    .action(async (opts: { server: string; pool: string; credential: string }, command: Command) => {
      await create(runtime.session(command), { type: 'elasticPool', serverName: opts.server, elasticPoolName: opts.pool, credentialName: opts.credential });
    });

  engineOption(target.command('add-shard-map').description('every shard of an Elastic Database shard map, read at each execution'))
    .requiredOption('-s, --server <server>', 'server of the shard map manager database')
    .requiredOption('-d, --database <database>', 'the shard map manager database')
    .requiredOption('-m, --shard-map <name>', 'shard map name')
    .requiredOption('-c, --credential <name>', 'credential that reads the shard map')
    .action(async (opts: { engine?: string; server: string; database: string; shardMap: string; credential: string }, command: Command) => {
      await create(runtime.session(command), {
        type: 'shardMap',
        engine: opts.engine,
        serverName: opts.server,
        databaseName: opts.database,
        shardMapName: opts.shardMap,
        credentialName: opts.credential,
      });
    });

  target
    .command('add-collection <name>')
    .description('a custom collection: members are other targets, included or excluded')
    .action(async (name: string, _opts: unknown, command: Command) => {
      await create(runtime.session(command), { type: 'customCollection', name });
    });

  engineOption(
    target
      .command('add-member <collection> [target]')
      .description('add a target (by id, or a database by --server and --database) to a custom collection (by name or id)'),
  )
    .option('-s, --server <server>', 'server of a database member (its target is created if needed)')
    .option('-d, --database <database>', 'database of a database member')
    .option('-x, --exclude', 'exclude this target from the collection instead of including it')
    .action(async (collection: string, reference: string | undefined, opts: DatabaseOptions & { exclude?: boolean }, command: Command) => {
      const session = runtime.session(command);
      const collectionId = await resolveTargetId(session.client, collection);
      const targetId = await memberId(session, reference, opts);
      await session.client.post(`targets/${segment(collectionId)}/members`, { targetId, membership: opts.exclude ? 'exclude' : 'include' });
      session.out.note(`${opts.exclude ? 'Excluded' : 'Added'} target ${targetId} ${opts.exclude ? 'from' : 'to'} collection ${collection}.`);
    });

  engineOption(target.command('remove-member <collection> [target]').description('remove a member (by id, or by --server and --database) from a custom collection'))
    .option('-s, --server <server>', 'server of a database member')
    .option('-d, --database <database>', 'database of a database member')
    .action(async (collection: string, reference: string | undefined, opts: DatabaseOptions, command: Command) => {
      const session = runtime.session(command);
      const collectionId = await resolveTargetId(session.client, collection);
      let targetId: string;
      if (reference !== undefined) targetId = await resolveTargetId(session.client, reference);
      else {
        if (opts.server === undefined || opts.database === undefined) throw new UsageError('give the member target id, or --server and --database');
        const found = (await members(session, collectionId)).items.find(
          (m) => m.target.serverName === opts.server && m.target.databaseName === opts.database && (opts.engine === undefined || m.target.engine === opts.engine),
        );
        if (!found) throw new UsageError(`collection ${collection} has no member ${opts.server}/${opts.database}`);
        targetId = found.target.id;
      }
      await session.client.delete(`targets/${segment(collectionId)}/members/${segment(targetId)}`);
      session.out.note(`Removed target ${targetId} from collection ${collection}.`);
    });

  target
    .command('list')
    .description('list targets, or the members of a collection')
    .option('-t, --type <type>', 'database, server, elasticPool, shardMap or customCollection')
    .option('-n, --name <name>', 'a custom collection\'s name')
    .option('--members-of <collection>', 'the members of this custom collection (name or id)')
    .action(async (opts: { type?: string; name?: string; membersOf?: string }, command: Command) => {
      const session = runtime.session(command);
      if (opts.membersOf !== undefined) {
        const page = await members(session, await resolveTargetId(session.client, opts.membersOf));
        session.out.list({ items: page.items, nextCursor: page.nextCursor ?? null }, memberColumns, 'No members.');
        return;
      }
      session.out.list(await session.client.list<Target>('targets', { type: opts.type, name: opts.name }), columns, 'No targets.');
    });

  target
    .command('show <target>')
    .description('show a target (by id, or a collection by name), with a collection\'s members')
    .action(async (reference: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      const id = await resolveTargetId(session.client, reference);
      const found = await session.client.get<Target>(`targets/${segment(id)}`);
      session.out.item(found, fields);
      if (found.type === 'customCollection' && session.format === 'table') {
        const page = await members(session, id);
        session.out.text(`\nMembers:\n${page.items.length ? '' : '(none)'}`);
        if (page.items.length) session.out.list({ items: page.items, nextCursor: null }, memberColumns, '');
      }
    });

  target
    .command('remove <target>')
    .description('delete a target (refused while a job or collection uses it)')
    .action(async (reference: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      const id = await resolveTargetId(session.client, reference);
      await session.client.delete(`targets/${segment(id)}`);
      session.out.note(`Removed target ${id}.`);
    });

  target
    .command('databases <target>')
    .description('the databases a target expands to right now (a dry run; connects read-only to servers, pools and shard maps)')
    .action(async (reference: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      const id = await resolveTargetId(session.client, reference);
      const page = await session.client.get<ItemsOf<TargetDatabase> | TargetDatabase[]>(`targets/${segment(id)}/databases`);
      const items = Array.isArray(page) ? page : page.items;
      session.out.list({ items, nextCursor: Array.isArray(page) ? null : (page.nextCursor ?? null) }, databaseColumns, 'No databases.');
    });
}
