/** `elastic-jobs schedule add|set|list|show|remove`: when jobs run (the seed's *-AzureSqlJobSchedule). */
import type { Command } from 'commander';
import type { Schedule } from '../../domain/schemas/schedule';
import { segment } from '../apiClient';
import { UsageError } from '../errorText';
import { interval, timestamp } from '../optionParsers';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime } from '../session';

function recurrence(s: Schedule): string {
  if (s.oneTime) return 'once';
  if (s.interval) return `every ${s.interval.count} ${s.interval.unit}${s.interval.count === 1 ? '' : 's'}`;
  if (s.cron) return `cron ${s.cron}${s.timeZone ? ` (${s.timeZone})` : ''}`;
  return '-';
}

const columns: Column<Schedule>[] = [
  { header: 'NAME', value: (s) => s.name },
  { header: 'RECURRENCE', value: recurrence },
  { header: 'START', value: (s) => shortTime(s.startTime) },
  { header: 'END', value: (s) => shortTime(s.endTime) },
];

const fields: Field<Schedule>[] = [
  { label: 'Name', value: (s) => s.name },
  { label: 'Recurrence', value: recurrence },
  { label: 'Start', value: (s) => shortTime(s.startTime) },
  { label: 'End', value: (s) => shortTime(s.endTime) },
  { label: 'Created', value: (s) => shortTime(s.createdAt) },
];

interface ScheduleOptions {
  once?: boolean;
  every?: { unit: string; count: number };
  cron?: string;
  timeZone?: string;
  start?: string;
  end?: string;
}

function scheduleBody(name: string, opts: ScheduleOptions): Record<string, unknown> {
  const kinds = [opts.once, opts.every, opts.cron].filter((k) => k !== undefined).length;
  if (kinds !== 1) throw new UsageError('give exactly one of --once, --every <interval> or --cron <expression>');
  if (opts.once) {
    if (opts.start === undefined) throw new UsageError('--once needs --start <time>');
    if (opts.end !== undefined) throw new UsageError('--end does not apply to --once');
    return { name, oneTime: true, startTime: opts.start };
  }
  const window = { ...(opts.start === undefined ? {} : { startTime: opts.start }), ...(opts.end === undefined ? {} : { endTime: opts.end }) };
  if (opts.every) return { name, interval: opts.every, ...window };
  return { name, cron: opts.cron, ...(opts.timeZone === undefined ? {} : { timeZone: opts.timeZone }), ...window };
}

export function registerScheduleCommands(program: Command, runtime: Runtime): void {
  const schedule = program.command('schedule').description('schedules: once at a time, every interval, or a cron expression');

  schedule
    .command('add <name>')
    .description('create a schedule; bind it to a job with "trigger add"')
    .option('--once', 'fire once, at --start')
    .option('--every <interval>', 'fire every interval: 15m, 2h, 1d, 1w, 1mo', interval)
    .option('--cron <expression>', 'fire on a cron expression (5 fields)')
    .option('--time-zone <zone>', 'IANA time zone of --cron (default UTC)')
    .option('--start <time>', 'ISO 8601 time with a zone of the first fire, e.g. 2026-12-01T02:00:00Z (default: now)', timestamp)
    .option('--end <time>', 'ISO 8601 time with a zone after which it no longer fires', timestamp)
    .action(async (name: string, opts: ScheduleOptions, command: Command) => {
      const session = runtime.session(command);
      if (opts.timeZone !== undefined && opts.cron === undefined) throw new UsageError('--time-zone applies to --cron');
      session.out.item(await session.client.post<Schedule>('schedules', scheduleBody(name, opts)), fields);
    });

  schedule
    .command('set <name>')
    .description('change a schedule: its recurrence, time zone or window (triggers keep using it)')
    .option('--once', 'fire once, at --start')
    .option('--every <interval>', 'fire every interval: 15m, 2h, 1d, 1w, 1mo', interval)
    .option('--cron <expression>', 'fire on a cron expression (5 fields)')
    .option('--time-zone <zone>', 'IANA time zone of the cron expression')
    .option('--start <time>', 'ISO 8601 time with a zone of the first fire', timestamp)
    .option('--end <time>', 'ISO 8601 time with a zone after which it no longer fires', timestamp)
    .option('--no-end', 'remove the end: fire on and on')
    .action(async (name: string, opts: Omit<ScheduleOptions, 'end'> & { end?: string | false }, command: Command) => {
      const session = runtime.session(command);
      const kinds = [opts.once, opts.every, opts.cron].filter((k) => k !== undefined).length;
      if (kinds > 1) throw new UsageError('give at most one of --once, --every <interval> or --cron <expression>');
      const body: Record<string, unknown> = {
        ...(opts.once ? { oneTime: true } : {}),
        ...(opts.every ? { interval: opts.every } : {}),
        ...(opts.cron !== undefined ? { cron: opts.cron } : {}),
        ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
        ...(opts.start !== undefined ? { startTime: opts.start } : {}),
        ...(opts.end === false ? { endTime: null } : opts.end !== undefined ? { endTime: opts.end } : {}),
      };
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one of the options (see --help)');
      session.out.item(await session.client.put<Schedule>(`schedules/${segment(name)}`, body), fields);
    });

  schedule
    .command('list')
    .description('list schedules')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<Schedule>('schedules'), columns, 'No schedules.');
    });

  schedule
    .command('show <name>')
    .description('show one schedule')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.item(await session.client.get<Schedule>(`schedules/${segment(name)}`), fields);
    });

  schedule
    .command('remove <name>')
    .description('delete a schedule (refused while a trigger uses it)')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      await session.client.delete(`schedules/${segment(name)}`);
      session.out.note(`Removed schedule ${name}.`);
    });
}
