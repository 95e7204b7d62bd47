import fs from 'node:fs';
import path from 'node:path';
import { bicepFiles, bicepParser, bodyOf, descendants, INFRA, propertyValue, stringValue, syntaxErrors, type SyntaxNode } from './bicepSyntax';

const files = bicepFiles();
const text = (file: string) => fs.readFileSync(file, 'utf8');
const relative = (file: string) => path.relative(INFRA, file);
const main = path.join(INFRA, 'main.bicep');

async function tree(file: string) {
  return (await bicepParser()).parse(text(file));
}

/** `@description('...')` of a declaration: the decorators node just before it. */
function descriptionOf(declaration: SyntaxNode): string | undefined {
  let previous = declaration.previousNamedSibling;
  while (previous && previous.type === 'comment') previous = previous.previousNamedSibling;
  if (!previous || previous.type !== 'decorators') return undefined;
  for (const call of descendants(previous, 'call_expression')) {
    if (call.childForFieldName('function')?.text !== 'description') continue;
    const argument = call.childForFieldName('arguments')?.namedChildren[0];
    return stringValue(argument);
  }
  return undefined;
}

describe('Bicep templates', () => {
  it('are all there', () => {
    expect(files.map(relative).sort()).toEqual(
      expect.arrayContaining(['main.bicep', 'modules/controlDatabase.bicep', 'modules/functionApp.bicep', 'modules/keyVault.bicep', 'modules/network.bicep', 'modules/roles.bicep']),
    );
  });

  it.each(files.map((f) => [relative(f), f]))('%s parses without a syntax error (tree-sitter-bicep)', async (_name, file) => {
    const parsed = await tree(file);
    expect(syntaxErrors(parsed)).toEqual([]);
    expect(parsed.rootNode.hasError).toBe(false);
  });

  it('the parser does report a broken template (the check above can fail)', async () => {
    const broken = (await bicepParser()).parse("resource s 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: \n  properties: {\n}\n");
    expect(syntaxErrors(broken).length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [relative(f), f]))('%s opens with metadata and describes every parameter as Required. or Optional.', async (_name, file) => {
    const root = (await tree(file)).rootNode;
    expect(root.namedChildren.find((n) => n.type !== 'comment')?.type).toBe('metadata_declaration');
    const undescribed = descendants(root, 'parameter_declaration')
      .filter((p) => !/^(Required|Optional)\. /.test(descriptionOf(p) ?? ''))
      .map((p) => p.namedChildren[0]?.text);
    expect(undescribed).toEqual([]);
  });

  it('never reads a key: no listKeys( anywhere in infra/', () => {
    const offenders = fs
      .readdirSync(INFRA, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath ?? e.path, e.name))
      .filter((f) => /listKeys\s*\(/i.test(text(f)));
    expect(offenders).toEqual([]);
  });

  it('turns shared key access off on the storage account', () => {
    expect(text(main)).toMatch(/allowSharedKeyAccess: false/);
    expect(text(main)).not.toMatch(/allowSharedKeyAccess: true/);
  });

  it('makes SQL authentication Entra-only', () => {
    const sql = text(path.join(INFRA, 'modules/controlDatabase.bicep'));
    expect(sql).toMatch(/azureADOnlyAuthentication: true/);
    expect(sql).not.toMatch(/administratorLoginPassword/);
  });

  it('puts Key Vault in RBAC mode', () => {
    expect(text(path.join(INFRA, 'modules/keyVault.bicep'))).toMatch(/enableRbacAuthorization: true/);
  });

  it('scopes every role assignment to a resource symbol, never the subscription or resource group', async () => {
    const checked: string[] = [];
    for (const file of files) {
      const root = (await tree(file)).rootNode;
      const declarations = descendants(root, 'resource_declaration');
      const symbols = new Set(declarations.map((d) => d.namedChildren[0]?.text));
      for (const d of declarations) {
        const type = stringValue(d.namedChildren[1]) ?? '';
        if (!type.startsWith('Microsoft.Authorization/roleAssignments@')) continue;
        const symbol = d.namedChildren[0]?.text;
        const scope = propertyValue(bodyOf(d)!, 'scope');
        expect({ symbol, scope: scope?.type }).toEqual({ symbol, scope: 'identifier' });
        expect(symbols.has(scope!.text)).toBe(true);
        checked.push(`${relative(file)}:${symbol}->${scope!.text}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(3);
    expect(files.map(text).join('\n')).not.toMatch(/scope:\s*(subscription|resourceGroup)\(/);
  });

  it('gives the app identity the storage, Key Vault and telemetry roles it needs', () => {
    const roles = text(path.join(INFRA, 'modules/roles.bicep'));
    for (const id of [
      'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', // Storage Blob Data Owner
      '974c5e8b-45b9-4653-ba55-5f855dd0fb88', // Storage Queue Data Contributor
      '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', // Storage Table Data Contributor
      'b86a8fe4-44ce-4948-aee5-eccb2c155cd7', // Key Vault Secrets Officer
      '3913510d-42f4-4e42-8a64-420c390055eb', // Monitoring Metrics Publisher
    ]) {
      expect(roles).toContain(id);
    }
  });

  it('pins every registry module to a version', async () => {
    const sources: string[] = [];
    for (const file of files) {
      for (const m of descendants((await tree(file)).rootNode, 'module_declaration')) sources.push(stringValue(m.namedChildren[1]) ?? '');
    }
    const registry = sources.filter((s) => s.startsWith('br/'));
    expect(registry.length).toBeGreaterThan(0);
    for (const s of registry) expect(s).toMatch(/^br\/public:avm\/res\/[a-z-]+\/[a-z-]+:\d+\.\d+\.\d+$/);
    for (const s of sources.filter((s) => !s.startsWith('br/'))) expect(fs.existsSync(path.join(INFRA, s))).toBe(true);
  });

  it('names resources from the resource token of subscription, environment and location', () => {
    expect(text(main)).toContain('toLower(uniqueString(subscription().id, environmentName, location))');
  });

  it('runs the app on Flex Consumption with Node 22 and identity-based host storage', () => {
    const app = text(path.join(INFRA, 'modules/functionApp.bicep'));
    expect(app).toMatch(/tier: 'FlexConsumption'/);
    expect(app).toMatch(/tier: 'ElasticPremium'/);
    expect(app).toMatch(/name: 'node'\s+version: '22'/);
    expect(app).toMatch(/AzureWebJobsStorage__accountName: storage\.name/);
    expect(app).toMatch(/AzureWebJobsStorage__credential: 'managedidentity'/);
    expect(app).toMatch(/AzureWebJobsStorage__clientId: identityClientId/);
    expect(app).not.toMatch(/AccountKey=|DefaultEndpointsProtocol/);
  });

  it('gives the app the settings the product reads', () => {
    const m = text(main);
    expect(m).toMatch(/CONTROL_DB: 'mssql:\/\/\$\{controlDatabase\.outputs\.serverFqdn\}\/\$\{controlDatabase\.outputs\.databaseName\}'/);
    expect(m).toMatch(/SECRETS_PROVIDER: 'keyvault'/);
    expect(m).toMatch(/KEY_VAULT_URL: keyVault\.outputs\.uri/);
    expect(m).toMatch(/AZURE_CLIENT_ID: identity\.outputs\.clientId/);
    expect(m).toMatch(/DURABLE_TASK_HUB_NAME: durableTaskHubName/);
    expect(m).toMatch(/SQLITE_TARGETS_ENABLED: 'false'/);
    expect(m).toMatch(/DACPAC_ALLOWED_HOSTS: '\*\.blob\.\$\{environment\(\)\.suffixes\.storage\}'/);
  });

  it('outputs the app URL and the names of what it created', async () => {
    const outputs = descendants((await tree(main)).rootNode, 'output_declaration').map((o) => o.namedChildren[0]?.text);
    expect(outputs).toEqual(
      expect.arrayContaining(['SERVICE_API_URI', 'SERVICE_API_NAME', 'AZURE_SQL_SERVER_FQDN', 'AZURE_SQL_DATABASE_NAME', 'AZURE_MANAGED_IDENTITY_NAME', 'AZURE_MANAGED_IDENTITY_CLIENT_ID', 'AZURE_KEY_VAULT_URL']),
    );
  });
});

describe('main.bicepparam', () => {
  const params = text(path.join(INFRA, 'main.bicepparam'));

  it('uses main.bicep and assigns only parameters main.bicep declares, including every required one', async () => {
    expect(params).toMatch(/^using '\.\/main\.bicep'$/m);
    const declared = descendants((await tree(main)).rootNode, 'parameter_declaration');
    const names = new Set(declared.map((p) => p.namedChildren[0]?.text));
    const assigned = [...params.matchAll(/^param (\w+) =/gm)].map((m) => m[1]);
    expect(assigned.filter((a) => !names.has(a))).toEqual([]);
    const required = declared.filter((p) => !p.text.includes('=')).map((p) => p.namedChildren[0]?.text);
    expect(required.filter((r) => !assigned.includes(r!))).toEqual([]);
  });
});
