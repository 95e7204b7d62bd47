/**
 * The local host's notification sender: a pass of deliverDueNotifications every couple of
 * seconds, on the services clock. Passes never overlap (the next is set up when one ends).
 * `stop` aborts the POSTs under way (a slow receiver must not hold up the host's bounded stop)
 * and waits for the pass to return, so the host can close the control database right after.
 * What is still due, or was abandoned, is sent by the next start (the outbox is in the control
 * database; an abandoned claim runs out after its lease).
 */
import type { Services } from '../services';
import { startRepeatingPass } from '../repeatingPass';
import { deliverDueNotifications } from './deliverDueNotifications';

export interface LocalNotificationSenderOptions {
  /** Between passes. */
  intervalMs?: number;
}

export interface LocalNotificationSender {
  stop(): Promise<void>;
}

export function startLocalNotificationSender(services: Services, { intervalMs = 2_000 }: LocalNotificationSenderOptions = {}): LocalNotificationSender {
  return startRepeatingPass(
    (signal) =>
      deliverDueNotifications(services, { now: services.clock.now(), signal }).catch((error: unknown) =>
        services.logger.error('Local notification pass failed', { error: error instanceof Error ? error.message : String(error) }),
      ),
    intervalMs,
  );
}
