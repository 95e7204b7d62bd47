import { retryDelayMs } from '../../../src/domain/retrySchedule';

const seed = { initialRetryIntervalMs: 100, maximumRetryIntervalMs: 30 * 60_000, retryIntervalBackoffCoefficient: 2 };

describe('retry delay before an attempt', () => {
  it('is zero before the first attempt', () => {
    expect(retryDelayMs(seed, 1)).toBe(0);
  });

  it("follows the seed's curve: 100 ms before attempt 2, doubling after", () => {
    expect([2, 3, 4, 5, 6].map((k) => retryDelayMs(seed, k))).toEqual([100, 200, 400, 800, 1_600]);
  });

  it('is capped at the maximum interval (30 min by default) from attempt 17 on', () => {
    expect(retryDelayMs(seed, 16)).toBe(100 * 2 ** 14); // 27.3 min, still below the cap
    expect(retryDelayMs(seed, 17)).toBe(30 * 60_000); // 54.6 min uncapped
    expect(retryDelayMs(seed, 40)).toBe(30 * 60_000);
  });

  it('stays at the cap for the default maximumAttempts, where the power overflows', () => {
    expect(retryDelayMs(seed, 2_147_483_647)).toBe(30 * 60_000);
  });

  it('keeps a constant interval with a coefficient of 1', () => {
    const flat = { initialRetryIntervalMs: 5_000, maximumRetryIntervalMs: 60_000, retryIntervalBackoffCoefficient: 1 };
    expect([2, 3, 10, 1_000].map((k) => retryDelayMs(flat, k))).toEqual([5_000, 5_000, 5_000, 5_000]);
  });

  it('never waits longer than the maximum even when the initial interval is above it', () => {
    expect(retryDelayMs({ initialRetryIntervalMs: 10_000, maximumRetryIntervalMs: 2_000, retryIntervalBackoffCoefficient: 3 }, 2)).toBe(2_000);
  });

  it('rounds fractional intervals to whole milliseconds', () => {
    expect(retryDelayMs({ initialRetryIntervalMs: 100, maximumRetryIntervalMs: 60_000, retryIntervalBackoffCoefficient: 1.5 }, 4)).toBe(225);
  });
});
