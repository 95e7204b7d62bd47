/**
 * SQL Server cannot run here: the content, target, execution policy and job stores are run
 * against a Kysely whose driver answers nothing, and the T-SQL they would send is asserted.
 */
import { coldMssql } from '../../support/coldMssql';
import { contentStore } from '../../../src/control/stores/contentStore';
import { executionPolicyStore } from '../../../src/control/stores/executionPolicyStore';
import { jobStore } from '../../../src/control/stores/jobStore';
import { targetStore } from '../../../src/control/stores/targetStore';
import { encodeCursor } from '../../../src/control/pagination';


describe('object stores on SQL Server (compiled, not run)', () => {
  it('pages every list with TOP, never LIMIT', async () => {
    const { control, sql } = coldMssql();
    await contentStore(control).list({ limit: 10 });
    await executionPolicyStore(control).list({ limit: 10, cursor: encodeCursor(['a']) });
    await jobStore(control).list({ limit: 10 });
    await jobStore(control).namesMarkedForDeletion(50);
    await targetStore(control).list({ limit: 10, type: 'database', cursor: encodeCursor(['2026-11-25T20:00:00.000Z', 'x']) });
    const all = sql();
    expect(all).toHaveLength(5);
    for (const q of all) {
      expect(q).toMatch(/^select top\(\d+\) /);
      expect(q).not.toMatch(/\blimit\b/i);
    }
    expect(all[0]).toContain('select top(11) ');
    expect(all[4]).toContain('where "type" = @1 and ("created_at" > @2 or ("created_at" = @3 and "id" > @4)) order by "created_at", "id"');
  });

  it('reads the latest content version through the counter on the content row', async () => {
    const { control, sql } = coldMssql();
    await expect(contentStore(control).get('c')).rejects.toThrow("Content 'c' does not exist.");
    expect(sql()[0]).toBe(
      'select "v"."content_name", "v"."version", "v"."command_text", "v"."dacpac_uri", "v"."comment", "v"."created_at", "c"."type" from "content_versions" as "v" inner join "contents" as "c" on "c"."name" = "v"."content_name" where "v"."content_name" = @1 and "v"."version" = "c"."latest_version"',
    );
  });

  it('bumps the version counter with an UPDATE first, so concurrent writers queue on its row lock', async () => {
    const { control, sql } = coldMssql();
    await expect(contentStore(control).addVersion('c', { commandText: 'SELECT 1', now: '2026-11-25T20:00:00.000Z' })).rejects.toThrow("Content 'c' does not exist.");
    expect(sql()[0]).toBe('update "contents" set "latest_version" = "latest_version" + @1 where "name" = @2');
  });

  it('refuses to change a job marked for deletion in the same statement that changes it', async () => {
    const { control, sql } = coldMssql();
    const settings = {
      overlap: 'skip' as const,
      canary: null,
      failureThreshold: null,
      maxParallelismPerServer: null,
      enabled: true,
      notify: { url: 'https://hooks.example.com/x', on: ['Failed' as const] },
    };
    await expect(jobStore(control).replaceSettings('j', settings, undefined, '2026-11-25T20:00:00.000Z')).rejects.toThrow("Job 'j' does not exist.");
    expect(sql()[0]).toMatch(/^update "jobs" set .* where "name" = @\d+ and "marked_for_deletion_at" is null$/);
    // Enabling and setting a webhook are judged against the row as it was, in the same statement.
    expect(sql()[0]).toContain('"enabled_at" = case when "enabled" = @');
    expect(sql()[0]).toContain('else "enabled_at" end');
    expect(sql()[0]).toContain('"notify_since" = case when "notify_url" is null then @');
  });

  it('checks a target is unused with TOP before deleting it', async () => {
    const { control, sql } = coldMssql();
    await expect(targetStore(control).remove('00000000-0000-4000-8000-000000000000')).rejects.toThrow('does not exist');
    expect(sql()[0]).toBe('select "id" from "targets" where "id" = @1');
  });
});
