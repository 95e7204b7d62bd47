/** Credentials in the control database. The stored secret never leaves this store except through `secretOf`. */
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { Credential } from '../../domain/schemas/credential';
import type { ListQuery, Page } from '../../domain/schemas/common';
import { strictlyAfter } from '../../domain/clock';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { CredentialTable } from '../schema';
import { withControlRetry } from '../sqlErrors';
import { firstStepUsing } from './jobStepStore';

export interface NewCredentialRow {
  name: string;
  username: string;
  authentication: Credential['authentication'];
  passwordSecret: string | null;
  allowedServers: string[];
  now: string;
}

export interface CredentialChanges {
  username?: string;
  passwordSecret?: string;
  allowedServers?: string[];
  now: string;
}

export interface StoredSecret {
  authentication: Credential['authentication'];
  username: string;
  passwordSecret: string | null;
  allowedServers: string[];
}

function toCredential(row: CredentialTable): Credential {
  return {
    name: row.name,
    username: row.username,
    authentication: row.authentication as Credential['authentication'],
    allowedServers: JSON.parse(row.allowedServers) as string[],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function credentialStore({ db, dialect }: ControlDatabase) {
  const find = (name: string) => db.selectFrom('credentials').selectAll().where('name', '=', name).executeTakeFirst();

  return {
    async create(c: NewCredentialRow): Promise<Credential> {
      const row: CredentialTable = {
        name: c.name,
        username: c.username,
        authentication: c.authentication,
        passwordSecret: c.passwordSecret,
        allowedServers: JSON.stringify(c.allowedServers),
        createdAt: c.now,
        updatedAt: c.now,
      };
      await withControlRetry(() => db.insertInto('credentials').values(row).execute(), {
        conflictMessage: `Credential '${c.name}' already exists.`,
      });
      return toCredential(row);
    },

    async get(name: string): Promise<Credential> {
      const row = await withControlRetry(() => find(name));
      if (!row) throw new NotFoundError('Credential', name);
      return toCredential(row);
    },

    async list(query: ListQuery): Promise<Page<Credential>> {
      const after = decodeCursor(query.cursor, 1);
      const rows = await withControlRetry(() =>
        db
          .selectFrom('credentials')
          .selectAll()
          .$if(after !== undefined, (q) => q.where('name', '>', String(after![0])))
          .orderBy('name')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      return toPage(rows, query.limit, (r) => [r.name], toCredential);
    },

    /**
     * Changes a credential. Its updatedAt always moves forward, by a millisecond at least: a lane
     * keeps a credential only while the version it claimed with is unchanged
     * (src/execution/attemptOnDatabase.ts), so two changes in one millisecond must not look like one.
     */
    async update(name: string, changes: CredentialChanges): Promise<Credential> {
      for (;;) {
        const current = await withControlRetry(() => find(name));
        if (!current) throw new NotFoundError('Credential', name);
        const set: Partial<CredentialTable> = { updatedAt: strictlyAfter(changes.now, current.updatedAt) };
        if (changes.username !== undefined) set.username = changes.username;
        if (changes.passwordSecret !== undefined) set.passwordSecret = changes.passwordSecret;
        if (changes.allowedServers !== undefined) set.allowedServers = JSON.stringify(changes.allowedServers);
        const result = await withControlRetry(() =>
          db.updateTable('credentials').set(set).where('name', '=', name).where('updatedAt', '=', current.updatedAt).executeTakeFirst(),
        );
        // Another change landed between the read and the write: read it and go again.
        if (Number(result.numUpdatedRows) > 0) return this.get(name);
      }
    },

    async remove(name: string): Promise<void> {
      const runner = await withControlRetry(() => firstStepUsing(db, dialect, 'credentialName', name));
      if (runner) throw new ConflictError(`Credential '${name}' is used by job '${runner.jobName}' (step '${runner.stepName}'); change or remove that job first.`);
      // A result destination names its credential inside a JSON column, out of the foreign keys' sight.
      const destinations = await withControlRetry(() =>
        db.selectFrom('jobSteps').select(['jobName', 'stepName', 'resultSetDestination']).where('resultSetDestination', 'is not', null).orderBy('jobName').orderBy('stepIndex').execute(),
      );
      const user = destinations.find((s) => (JSON.parse(s.resultSetDestination!) as { credentialName?: string }).credentialName === name);
      if (user) throw new ConflictError(`Credential '${name}' is used by the result destination of job '${user.jobName}' (step '${user.stepName}'); change that job first.`);
      const result = await withControlRetry(() => db.deleteFrom('credentials').where('name', '=', name).executeTakeFirst(), {
        conflictMessage: `Credential '${name}' is used by a job, a target or a result destination; change those first.`,
      });
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError('Credential', name);
    },

    /** For opening connections only: the stored (protected) secret and the scope. */
    async secretOf(name: string): Promise<StoredSecret> {
      const row = await withControlRetry(() => find(name));
      if (!row) throw new NotFoundError('Credential', name);
      return {
        authentication: row.authentication as Credential['authentication'],
        username: row.username,
        passwordSecret: row.passwordSecret,
        allowedServers: JSON.parse(row.allowedServers) as string[],
      };
    },
  };
}

export type CredentialStore = ReturnType<typeof credentialStore>;
