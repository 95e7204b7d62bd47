import { NOTIFICATION_RETRY_WINDOW_MS, nextAttemptAt, retryDelayMs } from '../../../src/domain/notificationRetry';

describe('notification retries', () => {
  it('waits 10 s after the first failure, then doubles up to 10 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelayMs)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000]);
  });

  it('retries for the hour after the execution ended, the last attempt at the deadline, then gives up', () => {
    const ended = new Date('2026-11-25T20:00:00.000Z');
    const giveUp = new Date(ended.getTime() + NOTIFICATION_RETRY_WINDOW_MS);
    let now = ended;
    const attempts: string[] = [now.toISOString()];
    for (let failed = 1; ; failed++) {
      const next = nextAttemptAt(failed, now, giveUp);
      if (next === null) break;
      now = next;
      attempts.push(now.toISOString());
    }
    expect(attempts.slice(0, 4)).toEqual(['2026-11-25T20:00:00.000Z', '2026-11-25T20:00:10.000Z', '2026-11-25T20:00:30.000Z', '2026-11-25T20:01:10.000Z']);
    expect(attempts.at(-1)).toBe('2026-11-25T21:00:00.000Z');
    expect(attempts.length).toBeGreaterThan(10);
    expect(attempts.length).toBeLessThan(20);
  });
});
