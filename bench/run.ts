/**
 * `npm run bench -- <name> [options]`: benchmarks, run on demand (not in CI). Each prints its
 * figures and their ratios against a baseline measured in the same run.
 *   fanout   [--n 500] [--parallelism 50] [--sleep 0.2] [--overhead-n 2000] [--replay 1000,10000] [--rss-n 10000]
 *            the figures last, one per line as `name: value` (makespan/floor, makespan/ideal, ...)
 *   replay   [--replay 1000,10000] [--parallelism 50]     (orchestration only, no database)
 *   drop                                                   (removes the kept benchmark databases)
 */
import { Command } from 'commander';
import { dropBenchDatabases } from './databases';
import { fanout } from './fanout';
import { measureReplayWork } from './replayWork';

const print = (line: string) => process.stdout.write(line + '\n');
const sizes = (v: string) => v.split(',').map((s) => Number(s.trim()));

const program = new Command('bench').description('Elastic Jobs benchmarks');
program
  .command('fanout')
  .description('a job over N PostgreSQL databases against the bare-driver floor, the ideal and xargs -P psql; engine overhead; control statements per attempt; replay work; peak RSS over SQLite targets')
  .option('--n <n>', 'databases for the makespan run', Number, 500)
  .option('--parallelism <p>', 'maxParallelism of the job (and -P of xargs)', Number, 50)
  .option('--sleep <seconds>', 'pg_sleep of the script', Number, 0.2)
  .option('--overhead-n <n>', 'databases for the SELECT 1 overhead run', Number, 2000)
  .option('--replay <sizes>', 'children for the replay measurement', sizes, [1000, 10000])
  .option('--rss-n <n>', 'SQLite targets of the peak-memory run (0: none)', Number, 10000)
  .action(async (o: { n: number; parallelism: number; sleep: number; overheadN: number; replay: number[]; rssN: number }) => {
    await fanout({ n: o.n, parallelism: o.parallelism, sleepSeconds: o.sleep, overheadN: o.overheadN, replaySizes: o.replay, rssN: o.rssN }, print);
  });
program
  .command('replay')
  .description('replay work per target of the orchestrators at several sizes')
  .option('--replay <sizes>', 'children', sizes, [1000, 10000])
  .option('--parallelism <p>', 'maxParallelism', Number, 50)
  .action(async (o: { replay: number[]; parallelism: number }) => {
    for (const n of o.replay) {
      const w = await measureReplayWork(n, o.parallelism);
      print(`replay N=${n}: ${w.eventsPerTarget.toFixed(2)} events per target (job ${w.byOrchestrator.job.toFixed(2)}, lane ${w.byOrchestrator.lane.toFixed(2)}), ${w.episodes} episodes, ${w.generations} lane generations, ${w.elapsedMs.toFixed(0)} ms`);
    }
  });
program.command('drop').description('drop the benchmark databases').action(() => dropBenchDatabases(print));

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
