import { boundAttempt } from '../../../src/targets/attemptBounds';
import { TaskCanceledError, TaskTimeoutError } from '../../../src/targets/errors';

describe('boundAttempt', () => {
  it('stops once on abort with TaskCanceledError', () => {
    const controller = new AbortController();
    const reasons: string[] = [];
    const bounds = boundAttempt({ signal: controller.signal, timeoutMs: 60_000 }, (r) => reasons.push(r));
    controller.abort();
    controller.abort();
    expect(reasons).toEqual(['canceled']);
    expect(bounds.error()).toBeInstanceOf(TaskCanceledError);
    expect(bounds.error().retryable).toBe(false);
  });

  it('stops at the timeout with TaskTimeoutError naming it', async () => {
    const reasons: string[] = [];
    const bounds = boundAttempt({ signal: new AbortController().signal, timeoutMs: 10 }, (r) => reasons.push(r));
    await new Promise((r) => setTimeout(r, 40));
    expect(reasons).toEqual(['timeout']);
    expect(bounds.error()).toBeInstanceOf(TaskTimeoutError);
    expect(bounds.error().message).toContain('10 ms');
  });

  it('stops at once for a signal already aborted', () => {
    const controller = new AbortController();
    controller.abort();
    const reasons: string[] = [];
    expect(boundAttempt({ signal: controller.signal }, (r) => reasons.push(r)).reason).toBe('canceled');
    expect(reasons).toEqual(['canceled']);
  });

  it('does nothing after dispose', async () => {
    const controller = new AbortController();
    const reasons: string[] = [];
    const bounds = boundAttempt({ signal: controller.signal, timeoutMs: 10 }, (r) => reasons.push(r));
    bounds.dispose();
    controller.abort();
    await new Promise((r) => setTimeout(r, 30));
    expect(reasons).toEqual([]);
    expect(bounds.reason).toBeUndefined();
  });
});
