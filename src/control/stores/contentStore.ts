/**
 * Contents (scripts and DACPACs) and their versions. A version, once written, never changes: a
 * job pinned to version n keeps running exactly that text. A DACPAC URI's query (a SAS token)
 * is stored protected, apart from the URI (migration 0008), and leaves this store only through
 * `dacpacSourceOf`, for the download.
 */
import { splitDacpacUri } from '../../domain/dacpacUriQuery';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { ListQuery, Page } from '../../domain/schemas/common';
import type { Content } from '../../domain/schemas/content';
import type { ControlDatabase } from '../connection';
import { firstRows } from '../firstRows';
import { decodeCursor, toPage } from '../pagination';
import type { ContentVersionTable } from '../schema';
import { withControlRetry } from '../sqlErrors';
import { firstStepUsing } from './jobStepStore';

export type ContentType = Content['type'];

/**
 * What a version holds: the script text or the DACPAC URI, whichever the content's type takes.
 * `dacpacUri` is the URI without its query; the query, if any, comes already protected
 * (PasswordProtector under dacpacQuerySecretName) as `dacpacQuerySecret`.
 */
export interface ContentBody {
  commandText?: string;
  dacpacUri?: string;
  dacpacQuerySecret?: string;
  comment?: string;
}

/** For the download only: the URI without its query and the query as stored (protected), or null. */
export interface StoredDacpacSource {
  dacpacUri: string;
  dacpacQuerySecret: string | null;
}

export interface NewContentRow extends ContentBody {
  name: string;
  type: ContentType;
  now: string;
}

type VersionRow = ContentVersionTable & { type: string };

function toContent(row: Omit<VersionRow, 'dacpacQuerySecret'>): Content {
  return {
    name: row.contentName,
    type: row.type as ContentType,
    version: Number(row.version),
    ...(row.commandText !== null ? { commandText: row.commandText } : {}),
    // Split again on the way out: a row from before migration 0008 may still hold its query until the next start moves it.
    ...(row.dacpacUri !== null ? { dacpacUri: splitDacpacUri(row.dacpacUri).shown } : {}),
    comment: row.comment,
    createdAt: row.createdAt,
  };
}

export function contentStore({ db, dialect }: ControlDatabase) {
  const versions = () =>
    db
      .selectFrom('contentVersions as v')
      .innerJoin('contents as c', 'c.name', 'v.contentName')
      .select(['v.contentName', 'v.version', 'v.commandText', 'v.dacpacUri', 'v.comment', 'v.createdAt', 'c.type']);

  const versionRow = (name: string, version: number | undefined) =>
    versions()
      .where('v.contentName', '=', name)
      .$if(version === undefined, (q) => q.whereRef('v.version', '=', 'c.latestVersion'))
      .$if(version !== undefined, (q) => q.where('v.version', '=', version!))
      .executeTakeFirst();

  return {
    /** Writes the content and its version 1 together. */
    async create(c: NewContentRow): Promise<Content> {
      const version: VersionRow = {
        contentName: c.name,
        version: 1,
        commandText: c.commandText ?? null,
        dacpacUri: c.dacpacUri ?? null,
        dacpacQuerySecret: c.dacpacQuerySecret ?? null,
        comment: c.comment ?? null,
        createdAt: c.now,
        type: c.type,
      };
      await withControlRetry(
        () =>
          db.transaction().execute(async (trx) => {
            await trx.insertInto('contents').values({ name: c.name, type: c.type, latestVersion: 1, createdAt: c.now }).execute();
            const { type: _type, ...row } = version;
            await trx.insertInto('contentVersions').values(row).execute();
          }),
        { conflictMessage: `Content '${c.name}' already exists.` },
      );
      return toContent(version);
    },

    /** The latest version. */
    async get(name: string): Promise<Content> {
      return this.getVersion(name);
    },

    /** One version, or the latest when none is given. */
    async getVersion(name: string, version?: number): Promise<Content> {
      const row = await withControlRetry(() => versionRow(name, version));
      if (!row) {
        if (version === undefined) throw new NotFoundError('Content', name);
        throw new NotFoundError('Content version', `${name}/${version}`);
      }
      return toContent(row);
    },

    /**
     * For fetching a DACPAC only: the URI without its query and the protected query of one
     * version. NotFoundError for a missing version or a script content.
     */
    async dacpacSourceOf(name: string, version: number): Promise<StoredDacpacSource> {
      const row = await withControlRetry(() =>
        db.selectFrom('contentVersions').select(['dacpacUri', 'dacpacQuerySecret']).where('contentName', '=', name).where('version', '=', version).executeTakeFirst(),
      );
      if (!row || row.dacpacUri === null) throw new NotFoundError('DACPAC content version', `${name}/${version}`);
      return { dacpacUri: row.dacpacUri, dacpacQuerySecret: row.dacpacQuerySecret };
    },

    /**
     * Moves the query of every DACPAC URI still stored in clear (rows written before migration
     * 0008) into the protected column; `protect(contentName, query)` returns the stored form.
     * Run at start-up right after the migrations, which have no protector. Each row is updated
     * only if its URI is still the one read, so two hosts starting at once do not protect it
     * twice. Returns how many rows were moved.
     */
    async protectClearDacpacQueries(protect: (contentName: string, query: string) => Promise<string>): Promise<number> {
      const rows = await withControlRetry(() =>
        db
          .selectFrom('contentVersions')
          .select(['contentName', 'version', 'dacpacUri'])
          .where('dacpacUri', 'like', '%?%')
          .where('dacpacQuerySecret', 'is', null)
          .execute(),
      );
      let moved = 0;
      for (const row of rows) {
        const { shown, query } = splitDacpacUri(row.dacpacUri!);
        if (query === null) continue;
        const secret = await protect(row.contentName, query);
        const result = await withControlRetry(() =>
          db
            .updateTable('contentVersions')
            .set({ dacpacUri: shown, dacpacQuerySecret: secret })
            .where('contentName', '=', row.contentName)
            .where('version', '=', Number(row.version))
            .where('dacpacUri', '=', row.dacpacUri)
            .where('dacpacQuerySecret', 'is', null)
            .executeTakeFirst(),
        );
        moved += Number(result.numUpdatedRows);
      }
      return moved;
    },

    async exists(name: string): Promise<boolean> {
      const row = await withControlRetry(() => db.selectFrom('contents').select('name').where('name', '=', name).executeTakeFirst());
      return row !== undefined;
    },

    /** Every content at its latest version, by name. */
    async list(query: ListQuery): Promise<Page<Content>> {
      const after = decodeCursor(query.cursor, 1);
      const rows = await withControlRetry(() =>
        versions()
          .whereRef('v.version', '=', 'c.latestVersion')
          .$if(after !== undefined, (q) => q.where('c.name', '>', String(after![0])))
          .orderBy('c.name')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      return toPage(rows, query.limit, (r) => [r.contentName], toContent);
    },

    /** Every version of one content, oldest first. */
    async listVersions(name: string, query: ListQuery): Promise<Page<Content>> {
      const after = decodeCursor(query.cursor, 1);
      const rows = await withControlRetry(() =>
        versions()
          .where('v.contentName', '=', name)
          .$if(after !== undefined, (q) => q.where('v.version', '>', Number(after![0])))
          .orderBy('v.version')
          .$call(firstRows(dialect, query.limit + 1))
          .execute(),
      );
      if (rows.length === 0 && !(await this.exists(name))) throw new NotFoundError('Content', name);
      return toPage(rows, query.limit, (r) => [Number(r.version)], toContent);
    },

    /**
     * Deletes the content with every version of it; 409 while a job uses it (any version). A
     * job created meanwhile is caught by the foreign key, also a 409. Executions keep their own
     * snapshot of what they ran, so history does not hold a content back.
     */
    async remove(name: string): Promise<void> {
      const user = await withControlRetry(() => firstStepUsing(db, dialect, 'contentName', name));
      if (user) throw new ConflictError(`Content '${name}' is used by job '${user.jobName}' (step '${user.stepName}'); change or remove that job first.`);
      const removed = await withControlRetry(
        () =>
          db.transaction().execute(async (trx) => {
            await trx.deleteFrom('contentVersions').where('contentName', '=', name).execute();
            return trx.deleteFrom('contents').where('name', '=', name).executeTakeFirst();
          }),
        { conflictMessage: `Content '${name}' was taken into use by a job meanwhile; change or remove that job first.` },
      );
      if (Number(removed.numDeletedRows) === 0) throw new NotFoundError('Content', name);
    },

    /**
     * Adds version n + 1. The counter is bumped by an UPDATE first, inside the transaction: the row
     * lock it takes makes a concurrent writer wait and then read the bumped value, so two new
     * versions never get the same number (the primary key would refuse it anyway, as a 409).
     */
    async addVersion(name: string, body: ContentBody & { now: string }): Promise<Content> {
      const written = await withControlRetry(
        () =>
          db.transaction().execute(async (trx) => {
            const bumped = await trx
              .updateTable('contents')
              .set((eb) => ({ latestVersion: eb('latestVersion', '+', 1) }))
              .where('name', '=', name)
              .executeTakeFirst();
            if (Number(bumped.numUpdatedRows) === 0) throw new NotFoundError('Content', name);
            const content = await trx.selectFrom('contents').select(['type', 'latestVersion']).where('name', '=', name).executeTakeFirstOrThrow();
            const row: ContentVersionTable = {
              contentName: name,
              version: Number(content.latestVersion),
              commandText: body.commandText ?? null,
              dacpacUri: body.dacpacUri ?? null,
              dacpacQuerySecret: body.dacpacQuerySecret ?? null,
              comment: body.comment ?? null,
              createdAt: body.now,
            };
            await trx.insertInto('contentVersions').values(row).execute();
            return { ...row, type: content.type };
          }),
        { conflictMessage: `Another version of content '${name}' was written at the same moment; try again.` },
      );
      return toContent(written);
    },
  };
}

export type ContentStore = ReturnType<typeof contentStore>;
