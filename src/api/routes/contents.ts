import { z } from 'zod';
import { isoTimestamp } from '../../domain/clock';
import { dacpacUriRefusal, type DacpacHostPattern } from '../../domain/dacpacHosts';
import { dacpacQuerySecretName, splitDacpacUri } from '../../domain/dacpacUriQuery';
import { ValidationError } from '../../domain/errors';
import { ListQuery, Name, listOf } from '../../domain/schemas/common';
import { Content, CreateContent, CreateContentVersion } from '../../domain/schemas/content';
import { contentStore, type ContentBody } from '../../control/stores/contentStore';
import type { PasswordProtector } from '../../secrets/passwordProtector';
import { defineRoute } from '../route';
import { NameParams } from './params';

const tag = 'Contents';

const VersionParams = z.object({ name: Name, version: z.coerce.number().int().min(1).max(2147483647) });

/**
 * Refuses (400 naming body.dacpacUri) a DACPAC the workers would not fetch, so no such version
 * is ever stored; the download checks again (src/dacpac/dacpacSource). The reason names the
 * host, never the query (a SAS token).
 */
function checkDacpacUri(uri: string, allowedHosts: readonly DacpacHostPattern[]): void {
  const refusal = dacpacUriRefusal(uri, allowedHosts);
  if (refusal) throw new ValidationError(`The DACPAC URI ${refusal}.`, [{ path: 'body.dacpacUri', message: refusal }]);
}

/**
 * The URI as stored: without its query, and the query (a SAS token) protected like a
 * credential's password, so the control database holds no SAS in clear and no response shows one.
 */
async function storedDacpacUri(protector: PasswordProtector, contentName: string, uri: string): Promise<Pick<ContentBody, 'dacpacUri' | 'dacpacQuerySecret'>> {
  const { shown, query } = splitDacpacUri(uri);
  return { dacpacUri: shown, ...(query === null ? {} : { dacpacQuerySecret: await protector.protect(dacpacQuerySecretName(contentName), query) }) };
}

const location = (c: Content) => `/api/contents/${encodeURIComponent(c.name)}/versions/${c.version}`;

export const createContent = defineRoute({
  name: 'createContent',
  method: 'POST',
  path: 'contents',
  summary: 'Create a content (a T-SQL script or a DACPAC) at version 1',
  tag,
  access: 'operate',
  body: CreateContent,
  success: { status: 201, schema: Content },
  async handle({ body, services }) {
    if (body.type === 'dacpac') checkDacpacUri(body.dacpacUri, services.config.dacpacAllowedHosts);
    const content = await contentStore(services.control).create({
      name: body.name,
      type: body.type,
      commandText: body.type === 'script' ? body.commandText : undefined,
      ...(body.type === 'dacpac' ? await storedDacpacUri(services.protector, body.name, body.dacpacUri) : {}),
      comment: body.comment,
      now: isoTimestamp(services.clock.now()),
    });
    return { status: 201, body: content, headers: { location: `/api/contents/${encodeURIComponent(content.name)}` } };
  },
});

export const listContents = defineRoute({
  name: 'listContents',
  method: 'GET',
  path: 'contents',
  summary: 'List contents, each at its latest version',
  tag,
  access: 'read',
  query: ListQuery,
  success: { status: 200, schema: listOf(Content) },
  async handle({ query, services }) {
    return { status: 200, body: await contentStore(services.control).list(query) };
  },
});

export const getContent = defineRoute({
  name: 'getContent',
  method: 'GET',
  path: 'contents/{name}',
  summary: 'Get the latest version of a content',
  tag,
  access: 'read',
  params: NameParams,
  success: { status: 200, schema: Content },
  async handle({ params, services }) {
    return { status: 200, body: await contentStore(services.control).get(params.name) };
  },
});

export const listContentVersions = defineRoute({
  name: 'listContentVersions',
  method: 'GET',
  path: 'contents/{name}/versions',
  summary: 'List every version of a content, oldest first',
  tag,
  access: 'read',
  params: NameParams,
  query: ListQuery,
  success: { status: 200, schema: listOf(Content) },
  async handle({ params, query, services }) {
    return { status: 200, body: await contentStore(services.control).listVersions(params.name, query) };
  },
});

export const getContentVersion = defineRoute({
  name: 'getContentVersion',
  method: 'GET',
  path: 'contents/{name}/versions/{version}',
  summary: 'Get one version of a content',
  tag,
  access: 'read',
  params: VersionParams,
  success: { status: 200, schema: Content },
  async handle({ params, services }) {
    return { status: 200, body: await contentStore(services.control).getVersion(params.name, params.version) };
  },
});

export const createContentVersion = defineRoute({
  name: 'createContentVersion',
  method: 'POST',
  path: 'contents/{name}/versions',
  summary: 'Add a version to a content (the earlier versions stay); it must be of the content type',
  tag,
  access: 'operate',
  params: NameParams,
  body: CreateContentVersion,
  success: { status: 201, schema: Content },
  async handle({ params, body, services }) {
    const store = contentStore(services.control);
    const current = await store.get(params.name);
    const [expected, wrong] = current.type === 'script' ? (['commandText', 'dacpacUri'] as const) : (['dacpacUri', 'commandText'] as const);
    if (body[wrong] !== undefined) {
      throw new ValidationError(`Content '${current.name}' is a ${current.type}: a new version takes ${expected}, not ${wrong}.`, [
        { path: `body.${wrong}`, message: `is not allowed for a ${current.type} content (use ${expected})` },
      ]);
    }
    if (body.dacpacUri !== undefined) checkDacpacUri(body.dacpacUri, services.config.dacpacAllowedHosts);
    const content = await store.addVersion(params.name, {
      commandText: body.commandText,
      ...(body.dacpacUri !== undefined ? await storedDacpacUri(services.protector, params.name, body.dacpacUri) : {}),
      comment: body.comment,
      now: isoTimestamp(services.clock.now()),
    });
    return { status: 201, body: content, headers: { location: location(content) } };
  },
});

export const deleteContent = defineRoute({
  name: 'deleteContent',
  method: 'DELETE',
  path: 'contents/{name}',
  summary: 'Delete a content with every version of it (409 while a job uses it)',
  tag,
  access: 'operate',
  params: NameParams,
  success: { status: 204 },
  async handle({ params, services }) {
    await contentStore(services.control).remove(params.name);
    return { status: 204 };
  },
});

export const contentRoutes = [createContent, listContents, getContent, listContentVersions, getContentVersion, createContentVersion, deleteContent];
