/**
 * The control-database dialects that run here, for suites that loop over them
 * (`describe.each(CONTROL_DIALECTS)`): a SQLite temp file and a fresh PostgreSQL database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openControlDatabase, type ControlDatabase } from '../../src/control/connection';
import { migrateToLatest } from '../../src/control/migrate';
import { createTestDatabase } from './postgres';

export const CONTROL_DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof CONTROL_DIALECTS)[number];

export interface TestControl {
  url: string;
  control: ControlDatabase;
  /** Closes the connection and removes the database. */
  dispose(): Promise<void>;
}

export async function createControlUrl(dialect: TestDialect): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-control-'));
    return { url: `sqlite:${path.join(dir, 'control.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const db = await createTestDatabase('control');
  return { url: db.url, drop: db.drop };
}

export async function openTestControl(dialect: TestDialect): Promise<TestControl> {
  const { url, drop } = await createControlUrl(dialect);
  const control = openControlDatabase(url);
  await migrateToLatest(control);
  return {
    url,
    control,
    async dispose() {
      await control.close();
      await drop();
    },
  };
}
