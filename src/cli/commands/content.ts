/** `elastic-jobs content add|update|show|versions|list`: scripts and DACPACs, versioned. */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { Content } from '../../domain/schemas/content';
import { segment } from '../apiClient';
import { UsageError } from '../errorText';
import type { CliIo } from '../io';
import { integer } from '../optionParsers';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime } from '../session';

const columns: Column<Content>[] = [
  { header: 'NAME', value: (c) => c.name },
  { header: 'TYPE', value: (c) => c.type },
  { header: 'VERSION', value: (c) => c.version },
  { header: 'CREATED', value: (c) => shortTime(c.createdAt) },
  { header: 'COMMENT', value: (c) => c.comment, max: 60 },
];

const versionColumns: Column<Content>[] = [
  { header: 'VERSION', value: (c) => c.version },
  { header: 'CREATED', value: (c) => shortTime(c.createdAt) },
  { header: 'COMMENT', value: (c) => c.comment, max: 60 },
  { header: 'DEFINITION', value: (c) => c.dacpacUri ?? c.commandText, max: 60 },
];

const fields: Field<Content>[] = [
  { label: 'Name', value: (c) => c.name },
  { label: 'Type', value: (c) => c.type },
  { label: 'Version', value: (c) => c.version },
  { label: 'Comment', value: (c) => c.comment },
  { label: 'Created', value: (c) => shortTime(c.createdAt) },
];

interface DefinitionOptions {
  file?: string;
  dacpacUri?: string;
  comment?: string;
}

async function readScript(io: CliIo, file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The definition fields of a new content or version: exactly one of a script file or a DACPAC URI. */
async function definition(io: CliIo, opts: DefinitionOptions): Promise<{ commandText: string } | { dacpacUri: string }> {
  if ((opts.file === undefined) === (opts.dacpacUri === undefined)) throw new UsageError('give exactly one of --file <script.sql> or --dacpac-uri <uri>');
  return opts.file !== undefined ? { commandText: await readScript(io, opts.file) } : { dacpacUri: opts.dacpacUri! };
}

function showContent(content: Content, out: { item: (c: Content, f: Field<Content>[]) => void; text: (t: string) => void }): void {
  out.item(content, content.type === 'dacpac' ? [...fields, { label: 'DACPAC URI', value: (c) => c.dacpacUri }] : fields);
  if (content.commandText !== undefined) out.text(`\n${content.commandText}`);
}

function withDefinitionOptions(command: Command): Command {
  return command
    .option('-f, --file <script.sql>', 'the T-SQL script (GO separates batches); - reads stdin')
    .option('--dacpac-uri <uri>', 'an http(s) URI of a DACPAC (a signed blob URL)')
    .option('-m, --comment <text>', 'what this version changes');
}

export function registerContentCommands(program: Command, runtime: Runtime): void {
  const content = program.command('content').description('scripts and DACPACs jobs run; each update adds a version');

  withDefinitionOptions(content.command('add <name>').description('create a script (--file) or DACPAC (--dacpac-uri) content, version 1')).action(
    async (name: string, opts: DefinitionOptions, command: Command) => {
      const session = runtime.session(command);
      const def = await definition(session.io, opts);
      const body = { name, type: 'commandText' in def ? 'script' : 'dacpac', ...def, ...(opts.comment === undefined ? {} : { comment: opts.comment }) };
      showContent(await session.client.post<Content>('contents', body), session.out);
    },
  );

  withDefinitionOptions(content.command('update <name>').description('add a new version of a content (old versions stay)')).action(
    async (name: string, opts: DefinitionOptions, command: Command) => {
      const session = runtime.session(command);
      const body = { ...(await definition(session.io, opts)), ...(opts.comment === undefined ? {} : { comment: opts.comment }) };
      showContent(await session.client.post<Content>(`contents/${segment(name)}/versions`, body), session.out);
    },
  );

  content
    .command('show <name>')
    .description('show the latest version of a content (or --content-version n), with its script')
    .option('--content-version <n>', 'a version number', integer)
    .action(async (name: string, opts: { contentVersion?: number }, command: Command) => {
      const session = runtime.session(command);
      const v = opts.contentVersion;
      const path = v === undefined ? `contents/${segment(name)}` : `contents/${segment(name)}/versions/${v}`;
      showContent(await session.client.get<Content>(path), session.out);
    });

  content
    .command('versions <name>')
    .description('list every version of a content')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<Content>(`contents/${segment(name)}/versions`), versionColumns, 'No versions.');
    });

  content
    .command('list')
    .description('list contents (latest versions)')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<Content>('contents'), columns, 'No contents.');
    });

  content
    .command('remove <name>')
    .description('delete a content with every version of it (refused while a job uses it)')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      await session.client.delete(`contents/${segment(name)}`);
      session.out.note(`Removed content ${name} with every version.`);
    });
}
