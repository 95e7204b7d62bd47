import { isoTimestamp } from '../../domain/clock';
import { ValidationError } from '../../domain/errors';
import { ListQuery, listOf } from '../../domain/schemas/common';
import { CreateCredential, Credential, UpdateCredential } from '../../domain/schemas/credential';
import { credentialStore } from '../../control/stores/credentialStore';
import { defineRoute } from '../route';
import { NameParams } from './params';

const tag = 'Credentials';

export const createCredential = defineRoute({
  name: 'createCredential',
  method: 'POST',
  path: 'credentials',
  summary: 'Create a credential (the password is encrypted before it is stored and never returned)',
  tag,
  access: 'admin',
  body: CreateCredential,
  success: { status: 201, schema: Credential },
  async handle({ body, services }) {
    const passwordSecret = body.password === undefined ? null : await services.protector.protect(body.name, body.password);
    const credential = await credentialStore(services.control).create({
      name: body.name,
      username: body.username,
      authentication: body.authentication,
      passwordSecret,
      allowedServers: body.allowedServers,
      now: isoTimestamp(services.clock.now()),
    });
    return { status: 201, body: credential, headers: { location: `/api/credentials/${encodeURIComponent(credential.name)}` } };
  },
});

export const listCredentials = defineRoute({
  name: 'listCredentials',
  method: 'GET',
  path: 'credentials',
  summary: 'List credentials',
  tag,
  access: 'read',
  query: ListQuery,
  success: { status: 200, schema: listOf(Credential) },
  async handle({ query, services }) {
    return { status: 200, body: await credentialStore(services.control).list(query) };
  },
});

export const getCredential = defineRoute({
  name: 'getCredential',
  method: 'GET',
  path: 'credentials/{name}',
  summary: 'Get a credential',
  tag,
  access: 'read',
  params: NameParams,
  success: { status: 200, schema: Credential },
  async handle({ params, services }) {
    return { status: 200, body: await credentialStore(services.control).get(params.name) };
  },
});

export const updateCredential = defineRoute({
  name: 'updateCredential',
  method: 'PUT',
  path: 'credentials/{name}',
  summary: 'Change a credential: username, password (a rotation) or allowed servers',
  tag,
  access: 'admin',
  params: NameParams,
  body: UpdateCredential,
  success: { status: 200, schema: Credential },
  async handle({ params, body, services }) {
    const store = credentialStore(services.control);
    const current = await store.get(params.name);
    if (body.password !== undefined && current.authentication === 'managedIdentity') {
      throw new ValidationError('A managed identity credential has no password.', [{ path: 'body.password', message: 'is not allowed for managedIdentity' }]);
    }
    const passwordSecret = body.password === undefined ? undefined : await services.protector.protect(params.name, body.password);
    const credential = await store.update(params.name, {
      username: body.username,
      passwordSecret,
      allowedServers: body.allowedServers,
      now: isoTimestamp(services.clock.now()),
    });
    return { status: 200, body: credential };
  },
});

export const deleteCredential = defineRoute({
  name: 'deleteCredential',
  method: 'DELETE',
  path: 'credentials/{name}',
  summary: 'Delete a credential (409 while a job or target uses it)',
  tag,
  access: 'admin',
  params: NameParams,
  success: { status: 204 },
  async handle({ params, services }) {
    await credentialStore(services.control).remove(params.name);
    return { status: 204 };
  },
});

export const credentialRoutes = [createCredential, listCredentials, getCredential, updateCredential, deleteCredential];
