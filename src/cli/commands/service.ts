/**
 * `elastic-jobs health`, `whoami` and `openapi`: the service's own routes, so a pipeline can
 * check a deployment answers (and with which role) before it starts a job.
 */
import type { Command } from 'commander';
import type { Runtime } from '../session';

interface Health {
  status: string;
  controlDatabase: string;
  version: string;
}

export function registerServiceCommands(program: Command, runtime: Runtime): void {
  program
    .command('health')
    .description('check the API answers and reaches its control database (exit 1 when it does not)')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      const health = await session.client.get<Health>('health');
      session.out.item(health, [
        { label: 'Status', value: (h) => h.status },
        { label: 'Control database', value: (h) => h.controlDatabase },
        { label: 'Version', value: (h) => h.version },
      ]);
    });

  program
    .command('whoami')
    .description('what this key or identity may do: read, operate or admin')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.out.item(await session.client.get<{ access: string; role: string }>('caller'), [
        { label: 'Role', value: (c) => c.role },
        { label: 'Access', value: (c) => c.access },
      ]);
    });

  program
    .command('openapi')
    .description('print the OpenAPI 3.1 document of the API (JSON)')
    .action(async (_opts: unknown, command: Command) => {
      const session = runtime.session(command);
      session.io.stdout.write(`${JSON.stringify(await session.client.get('openapi.json'), null, 2)}\n`);
    });
}
