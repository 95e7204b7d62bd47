import { formatDuration, parseDuration } from '../../../src/domain/duration';

describe('ISO 8601 durations', () => {
  it.each([
    ['PT10S', 10_000],
    ['PT0.1S', 100],
    ['PT30M', 1_800_000],
    ['P7D', 604_800_000],
    ['P1W', 604_800_000],
    ['PT1H30M', 5_400_000],
    ['P1DT2H', 93_600_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '10S', 'P1M', 'P1Y', 'PT-1S', 'PTS', 'P1DT', 'pt10s', 'PT10S '])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [0, 'PT0S'],
    [100, 'PT0.1S'],
    [1_500, 'PT1.5S'],
    [1_800_000, 'PT30M'],
    [86_400_000, 'P1D'],
    [93_600_000, 'P1DT2H'],
  ])('formats %i ms as %s, and back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
