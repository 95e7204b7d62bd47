/** `elastic-jobs trigger add|list|remove`: which job runs on which schedule (the seed's *-AzureSqlJobTrigger). */
import type { Command } from 'commander';
import type { Trigger } from '../../domain/schemas/schedule';
import { segment } from '../apiClient';
import { shortTime, type Column, type Field } from '../output';
import type { Runtime } from '../session';

const columns: Column<Trigger>[] = [
  { header: 'JOB', value: (t) => t.jobName },
  { header: 'SCHEDULE', value: (t) => t.scheduleName },
  { header: 'NEXT FIRE', value: (t) => shortTime(t.nextFireTime) },
  { header: 'CREATED', value: (t) => shortTime(t.createdAt) },
];

const fields: Field<Trigger>[] = [
  { label: 'Job', value: (t) => t.jobName },
  { label: 'Schedule', value: (t) => t.scheduleName },
  { label: 'Next fire', value: (t) => shortTime(t.nextFireTime) },
  { label: 'Created', value: (t) => shortTime(t.createdAt) },
];

export function registerTriggerCommands(program: Command, runtime: Runtime): void {
  const trigger = program.command('trigger').description('job triggers: run a job on a schedule');

  trigger
    .command('add <job> <schedule>')
    .description('run a job on a schedule')
    .action(async (job: string, schedule: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.item(await session.client.post<Trigger>('triggers', { jobName: job, scheduleName: schedule }), fields);
    });

  trigger
    .command('list')
    .description('list triggers, with their next fire time')
    .option('-j, --job <name>', 'the triggers of this job')
    .option('-s, --schedule <name>', 'the triggers on this schedule')
    .action(async (opts: { job?: string; schedule?: string }, command: Command) => {
      const session = runtime.session(command);
      session.out.list(await session.client.list<Trigger>('triggers', { jobName: opts.job, scheduleName: opts.schedule }), columns, 'No triggers.');
    });

  trigger
    .command('remove <job> <schedule>')
    .description('stop running a job on a schedule')
    .action(async (job: string, schedule: string, _opts: unknown, command: Command) => {
      const session = runtime.session(command);
      await session.client.delete(`triggers/${segment(job)}/${segment(schedule)}`);
      session.out.note(`Removed trigger ${job} on ${schedule}.`);
    });
}
