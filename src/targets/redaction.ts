/**
 * Driver errors are rebuilt, never passed on: a server or a driver may echo connection settings
 * back, and the password must not reach a task's message, a log line or an HTTP response.
 */
import type { ConnectionCredential } from './driver';

// Below this length a password is so likely to occur in ordinary words that replacing it would
// garble every message; no driver message seen so far quotes the password anyway.
const MIN_SCRUBBED_LENGTH = 4;

export function withoutSecret(message: string, credential: Pick<ConnectionCredential, 'password'> | undefined): string {
  const secret = credential?.password;
  if (!secret || secret.length < MIN_SCRUBBED_LENGTH) return message;
  return message.split(secret).join('***');
}

/** The message of anything thrown, as one line. */
export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ');
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
  return text.replace(/\s+/g, ' ').trim() || (error instanceof Error ? error.name : 'Unknown error');
}
