/** `elastic-jobs credential add|set|list|show|remove`: the seed's *-AzureSqlJobCredential. */
import { Command, Option } from 'commander';
import type { Credential } from '../../domain/schemas/credential';
import { segment } from '../apiClient';
import { UsageError } from '../errorText';
import { shortTime, type Column, type Field } from '../output';
import { collect } from '../optionParsers';
import { promptPassword, readPasswordFromStdin } from '../password';
import type { Runtime, Session } from '../session';

const columns: Column<Credential>[] = [
  { header: 'NAME', value: (c) => c.name },
  { header: 'USERNAME', value: (c) => c.username },
  { header: 'AUTHENTICATION', value: (c) => c.authentication },
  { header: 'UPDATED', value: (c) => shortTime(c.updatedAt) },
  { header: 'ALLOWED SERVERS', value: (c) => (c.allowedServers ?? []).join(', '), max: 60 },
];

const fields: Field<Credential>[] = [
  { label: 'Name', value: (c) => c.name },
  { label: 'Username', value: (c) => c.username },
  { label: 'Authentication', value: (c) => c.authentication },
  { label: 'Allowed servers', value: (c) => (c.allowedServers ?? []).join(', ') },
  { label: 'Created', value: (c) => shortTime(c.createdAt) },
  { label: 'Updated', value: (c) => shortTime(c.updatedAt) },
];

/**
 * `--password` exists only to refuse it with the reason; its value is never echoed. The
 * value is already in argv by then, which is exactly why the message says to change it.
 */
function refusePasswordArgument(): Option {
  return new Option('--password <password>')
    .hideHelp()
    .argParser(() => {
      throw new UsageError(
        'a password is never taken as an argument (other users can read it in the process list and it stays in shell history): ' +
          'type it at the prompt or pipe it with --password-stdin, and consider that password exposed',
      );
    });
}

async function passwordFrom(session: Session, fromStdin: boolean | undefined, prompt: string): Promise<string> {
  return fromStdin ? readPasswordFromStdin(session.io) : promptPassword(session.io, prompt);
}

export function registerCredentialCommands(program: Command, runtime: Runtime): void {
  const credential = program.command('credential').description('database credentials jobs connect with (passwords are never shown)');

  credential
    .command('add <name>')
    .description('create a credential; the password is asked for (no echo) or read from stdin')
    .requiredOption('-u, --username <username>', 'database user name')
    .requiredOption('--allowed-server <pattern>', 'server name glob this credential may be sent to (repeat, or comma-separated; "*" for any)', collect)
    .option('--managed-identity', 'authenticate with the app\'s Entra managed identity (no password)')
    .option('--password-stdin', 'read the password from stdin (for pipelines)')
    .addOption(refusePasswordArgument())
    .action(async (name: string, opts: { username: string; allowedServer: string[]; managedIdentity?: boolean; passwordStdin?: boolean }, command: Command) => {
      const session = runtime.session(command);
      const managed = Boolean(opts.managedIdentity);
      if (managed && opts.passwordStdin) throw new UsageError('a managed identity credential has no password: drop --password-stdin');
      const password = managed ? undefined : await passwordFrom(session, opts.passwordStdin, `Password for ${opts.username}: `);
      const created = await session.client.post<Credential>('credentials', {
        name,
        username: opts.username,
        authentication: managed ? 'managedIdentity' : 'sql',
        allowedServers: opts.allowedServer,
        ...(password === undefined ? {} : { password }),
      });
      session.out.item(created, fields);
    });

  credential
    .command('set <name>')
    .description('change a credential: username, allowed servers, or its password (a rotation)')
    .option('-u, --username <username>', 'new database user name')
    .option('--allowed-server <pattern>', 'replace the allowed server globs (repeat, or comma-separated)', collect)
    .option('--change-password', 'ask for a new password (no echo)')
    .option('--password-stdin', 'read the new password from stdin')
    .addOption(refusePasswordArgument())
    .action(async (name: string, opts: { username?: string; allowedServer?: string[]; changePassword?: boolean; passwordStdin?: boolean }, command: Command) => {
      const session = runtime.session(command);
      const body: Record<string, unknown> = {};
      if (opts.username !== undefined) body.username = opts.username;
      if (opts.allowedServer !== undefined) body.allowedServers = opts.allowedServer;
      if (opts.changePassword || opts.passwordStdin) body.password = await passwordFrom(session, opts.passwordStdin, `New password for ${name}: `);
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --username, --allowed-server, --change-password or --password-stdin');
      session.out.item(await session.client.put<Credential>(`credentials/${segment(name)}`, body), fields);
    });

  credential
    .command('list')
    .description('list credentials')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<Credential>('credentials'), columns, 'No credentials.');
    });

  credential
    .command('show <name>')
    .description('show one credential')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.item(await session.client.get<Credential>(`credentials/${segment(name)}`), fields);
    });

  credential
    .command('remove <name>')
    .description('delete a credential (refused while a job or target uses it)')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      await session.client.delete(`credentials/${segment(name)}`);
      session.out.note(`Removed credential ${name}.`);
    });
}
