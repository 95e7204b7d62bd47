/**
 * The execution id of a scheduled fire, derived from (job, schedule, fire time): a name-based
 * UUID (version 5 layout, SHA-1). Two ticks that both got as far as starting the same fire write
 * the same id, and the second insert is refused, so a fire never becomes two executions.
 */
import crypto from 'node:crypto';

/** Fixed namespace of Elastic Jobs scheduled fires (random once, never to change). */
const NAMESPACE = Buffer.from('6f1c1e0a4b2d4f8e9a3c5d7e1f2a3b4c', 'hex');

export function fireExecutionId(jobName: string, scheduleName: string, fireTime: string): string {
  const hash = crypto.createHash('sha1').update(NAMESPACE).update(JSON.stringify([jobName, scheduleName, fireTime]), 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
