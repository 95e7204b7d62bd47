/**
 * What a job step's settings (a step of POST /jobs/{name}/steps, or step 1 given on the job)
 * must satisfy before a create or an update writes anything: every object it names exists (404
 * naming the body field), and every server known in advance admits the credential sent to it
 * (403 naming the server and the patterns).
 */
import { credentialStore } from '../control/stores/credentialStore';
import { contentStore } from '../control/stores/contentStore';
import { executionPolicyStore } from '../control/stores/executionPolicyStore';
import { targetStore } from '../control/stores/targetStore';
import { scopeViolation, serversKnownInAdvance } from '../domain/credentialScope';
import { ForbiddenError, NotFoundError, type FieldError } from '../domain/errors';
import type { Credential } from '../domain/schemas/credential';
import type { StepSettings } from '../domain/schemas/step';
import type { Target } from '../domain/schemas/target';
import type { Services } from '../services';
import { checkSqliteLocation } from './sqliteLocationCheck';

interface Missing {
  kind: string;
  key: string;
  error: FieldError;
}

/** Runs a lookup; a NotFoundError becomes a `missing` entry for the field, anything else propagates. */
async function lookUp<T>(missing: Missing[], kind: string, key: string, path: string, find: () => Promise<T>): Promise<T | undefined> {
  try {
    return await find();
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    missing.push({ kind, key, error: { path, message: `${kind.toLowerCase()} '${key}' does not exist` } });
    return undefined;
  }
}

export async function checkStepReferences(services: Services, s: StepSettings): Promise<void> {
  const { control } = services;
  const missing: Missing[] = [];
  const content = await lookUp(missing, 'Content', s.contentName, 'body.contentName', () => contentStore(control).get(s.contentName));
  if (content && s.contentVersion !== null) {
    await lookUp(missing, 'Content version', `${s.contentName}/${s.contentVersion}`, 'body.contentVersion', () => contentStore(control).getVersion(s.contentName, s.contentVersion!));
  }
  const credential = await lookUp<Credential>(missing, 'Credential', s.credentialName, 'body.credentialName', () => credentialStore(control).get(s.credentialName));
  const target = await lookUp<Target>(missing, 'Target', s.targetId, 'body.targetId', () => targetStore(control).get(s.targetId));
  await lookUp(missing, 'Execution policy', s.executionPolicyName, 'body.executionPolicyName', () => executionPolicyStore(control).get(s.executionPolicyName));
  const destination = s.resultSetDestination;
  const destinationCredential = destination
    ? await lookUp<Credential>(missing, 'Credential', destination.credentialName, 'body.resultSetDestination.credentialName', () =>
        credentialStore(control).get(destination.credentialName),
      )
    : undefined;
  if (missing.length) {
    throw new NotFoundError(missing[0].kind, missing[0].key, missing.map((m) => m.error));
  }

  if (destination?.engine === 'sqlite') checkSqliteLocation(services, 'body.resultSetDestination', destination.serverName, destination.databaseName);

  const servers = await serversKnownInAdvance(target!, (id) => targetStore(control).members(id));
  const refused = scopeViolation(credential!.name, credential!.allowedServers, servers);
  if (refused) throw new ForbiddenError(refused);
  if (destination) {
    const refusedDestination = scopeViolation(destinationCredential!.name, destinationCredential!.allowedServers, [
      { engine: destination.engine, serverName: destination.serverName, targetId: 'resultSetDestination' },
    ]);
    if (refusedDestination) throw new ForbiddenError(refusedDestination);
  }
}

