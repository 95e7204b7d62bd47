import { ExitCode, EXIT_CODE_HELP, exitCodeForLifecycle, isTerminal } from '../../../src/cli/exitCodes';

describe('exit codes', () => {
  it.each([
    ['Succeeded', 0],
    ['SucceededWithSkipped', 0],
    ['Skipped', 0],
    ['Failed', 2],
    ['TimedOut', 3],
    ['Canceled', 4],
  ])('maps a %s execution to exit code %i', (lifecycle, code) => {
    expect(exitCodeForLifecycle(lifecycle)).toBe(code);
  });

  it.each(['Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions'])('maps a still-running %s execution to the still-running code', (lifecycle) => {
    expect(exitCodeForLifecycle(lifecycle)).toBe(ExitCode.StillRunning);
    expect(isTerminal(lifecycle)).toBe(false);
  });

  it('gives every outcome a distinct code, and the API refusing and being unreachable their own', () => {
    const codes = [ExitCode.Ok, ExitCode.Refused, ExitCode.Failed, ExitCode.TimedOut, ExitCode.Canceled, ExitCode.Unreachable, ExitCode.StillRunning];
    expect(new Set(codes).size).toBe(codes.length);
    expect(ExitCode.Refused).toBe(1);
    expect(ExitCode.Unreachable).toBe(5);
  });

  it('documents every code in the help text', () => {
    for (const code of Object.values(ExitCode)) expect(EXIT_CODE_HELP).toMatch(new RegExp(`^\\s*${code}  `, 'm'));
  });
});
