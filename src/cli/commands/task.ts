/**
 * `elastic-jobs task show ID`: one task execution (one attempt on one database) with what it
 * captured when its job captures output: each result set as a table, then the informational
 * messages. The seed's Get-AzureSqlJobTaskExecution for a single attempt.
 */
import type { Command } from 'commander';
import type { CapturedOutput, TaskExecution } from '../../domain/schemas/execution';
import { segment } from '../apiClient';
import { renderTable, shortTime, type Field } from '../output';
import type { Runtime } from '../session';

const fields: Field<TaskExecution>[] = [
  { label: 'Id', value: (t) => t.id },
  { label: 'Job execution', value: (t) => t.jobExecutionId },
  { label: 'Attempt', value: (t) => t.attempt },
  { label: 'Lifecycle', value: (t) => t.lifecycle },
  { label: 'Started', value: (t) => shortTime(t.startTime) },
  { label: 'Ended', value: (t) => shortTime(t.endTime) },
  { label: 'Message', value: (t) => t.message },
  { label: 'Output', value: (t) => (t.output ? `${t.output.resultSets.length} result set(s), ${t.output.messages.length} message(s)${t.output.truncated ? ', truncated' : ''}` : 'not captured (the job has no captureOutput)') },
];

/** The captured output for people: each result set as a table, then the messages. */
export function renderCapturedOutput(output: CapturedOutput): string {
  const parts: string[] = [];
  output.resultSets.forEach((set, i) => {
    const columns = set.columns.map((c, n) => ({ header: c.name, value: (row: unknown[]) => cellText(row[n]), max: 60 }));
    parts.push(`\nResult set ${i + 1} (${set.rows.length} row${set.rows.length === 1 ? '' : 's'}${set.truncated ? `, cut at ${output.limits.rowsPerResultSet}` : ''}):\n${renderTable(set.rows, columns)}`);
  });
  if (output.messages.length) parts.push(`\nMessages:\n${output.messages.map((m) => `  ${m}`).join('\n')}\n`);
  return parts.join('');
}

function cellText(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return value as string | number | boolean;
}

export function registerTaskCommands(program: Command, runtime: Runtime): void {
  const task = program.command('task').description('task executions: one attempt of a job on one database');

  task
    .command('show <id>')
    .description('show one task execution with its captured output (result sets and messages, when the job captures output)')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      const found = await session.client.get<TaskExecution>(`tasks/${segment(id)}`);
      session.out.item(found, fields);
      if (found.output) session.out.text(renderCapturedOutput(found.output));
    });
}
