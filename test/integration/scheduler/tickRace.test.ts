import { CONTROL_DIALECTS } from '../../support/controlDatabases';
import { fireExecutionId } from '../../../src/scheduler/fireExecutionId';
import type { Services } from '../../../src/services';
import { countOf, createSchedulerHarness, type SchedulerHarness } from './schedulerHarness';

const ROUNDS = 100;

describe.each(CONTROL_DIALECTS)('two scheduler ticks racing on %s', (dialect) => {
  let h: SchedulerHarness;
  let other: Services;
  beforeAll(async () => {
    h = await createSchedulerHarness(dialect, '2026-11-25T20:00:00.000Z');
    other = await h.anotherInstance();
    await h.job('race', 'allow');
    await h.schedule({ name: 'every-minute', interval: { unit: 'minute', count: 1 }, startTime: '2026-11-25T20:01:00Z' });
    await h.trigger('race', 'every-minute');
  });
  afterAll(async () => h.close());

  it(`start exactly one execution for the same due fire time, ${ROUNDS} rounds in a row`, async () => {
    let lostClaims = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      h.clock.advance(60_000);
      const fireTime = h.clock.now().toISOString();
      const [a, b] = await Promise.all([h.tick(), h.tick(other)]);
      const id = fireExecutionId('race', 'every-minute', fireTime);
      // One tick won the claim, the other saw it taken (or, a moment later, nothing left to fire).
      expect([...a.started, ...b.started]).toEqual([id]);
      expect(a.errors + b.errors).toBe(0);
      lostClaims += a.lostClaims + b.lostClaims;
      expect(h.started).toHaveLength(round);
      expect(h.started[round - 1]).toBe(id);
    }
    expect(await countOf(h.api, 'jobExecutions')).toBe(ROUNDS);
    expect(await countOf(h.api, 'triggerFires')).toBe(ROUNDS);
    expect(new Set(h.started).size).toBe(ROUNDS);
    // The ticks really raced: both computed the same due fire and one lost the insert of its claim.
    expect(lostClaims).toBeGreaterThan(0);
  });
});
