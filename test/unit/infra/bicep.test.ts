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
    expect(checked.length).toBeGreaterThanOrEqual(4);
    // A module may be deployed into another resource group (the registry's); a role assignment never is.
    const resources: string[] = [];
    for (const file of files) resources.push(...descendants((await tree(file)).rootNode, 'resource_declaration').map((d) => d.text));
    expect(resources.join('\n')).not.toMatch(/scope:\s*(subscription|resourceGroup)\(/);
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
    expect(m).toMatch(/SQLITE_TARGETS_ENABLED: string\(sqliteTargetsEnabled\)/);
    expect(m).toMatch(/DACPAC_ALLOWED_HOSTS: empty\(dacpacAllowedHosts\) \? '\*\.blob\.\$\{environment\(\)\.suffixes\.storage\}' : dacpacAllowedHosts/);
  });

  /** The keys of the Settings object src/config.ts parses: every setting the product reads. */
  const configSettings = (): string[] => {
    const config = text(path.join(INFRA, '..', 'src', 'config.ts'));
    const body = /const Settings = z\.object\(\{([\s\S]*?)\n\}\);/.exec(config)![1];
    return [...body.matchAll(/^ {2}([A-Za-z_]+):/gm)].map((m) => m[1]);
  };

  /** `KEY: value` pairs of the app settings main.bicep hands the Function App (the appSettings union). */
  async function appSettingsOfMain(): Promise<Map<string, SyntaxNode>> {
    const root = (await tree(main)).rootNode;
    const functionApp = descendants(root, 'module_declaration').find((m) => m.namedChildren[0]?.text === 'functionApp')!;
    const appSettings = descendants(functionApp, 'object_property').find((p) => p.namedChildren[0]?.text === 'appSettings')!;
    const pairs = new Map<string, SyntaxNode>();
    for (const p of descendants(appSettings, 'object_property')) {
      const key = p.namedChildren[0]?.text;
      if (key && /^[A-Z][A-Za-z_]+$/.test(key)) pairs.set(key, p.namedChildren[1]!);
    }
    return pairs;
  }

  // Settings the Function App takes from what the template creates, not from an operator's choice.
  const FROM_RESOURCES: Record<string, string> = {
    CONTROL_DB: 'the SQL server and database the template creates',
    SECRETS_PROVIDER: 'the Key Vault the template creates',
    KEY_VAULT_URL: 'the Key Vault the template creates',
    AzureWebJobsStorage__accountName: 'the host storage account (functionApp.bicep)',
    APPLICATIONINSIGHTS_CONNECTION_STRING: 'the Application Insights component (functionApp.bicep)',
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'the app identity (functionApp.bicep)',
    WEBHOOK_SIGNING_KEY: 'a Key Vault reference to the secret written from the secure parameter webhookSigningKey',
  };
  // Settings the product reads that have no meaning in Azure, so the template sets none.
  const NOT_IN_AZURE: Record<string, string> = {
    ELASTIC_JOBS_DATA_DIR: 'local host data folder',
    PORT: 'local host listener',
    ELASTIC_JOBS_API_KEY: 'local host key; Azure uses function keys',
    ELASTIC_JOBS_READER_API_KEY: 'local host key; Azure uses function keys',
    ELASTIC_JOBS_MASTER_KEY: 'local protector; Azure keeps secrets in Key Vault',
    SQLITE_TARGETS_ROOT: 'local SQLite folder',
    WEBSITE_AUTH_ENABLED: 'set by App Service itself',
    TRUST_CLIENT_PRINCIPAL: 'follows authClientId',
  };

  it('classifies every setting src/config.ts reads: an operator parameter, the created resources, or not used in Azure', () => {
    const settings = configSettings();
    expect(settings).toEqual(expect.arrayContaining(['HISTORY_RETENTION', 'DEFAULT_MAX_PARALLELISM', 'LOG_LEVEL', 'DACPAC_ALLOWED_HOSTS']));
    expect(settings.length).toBeGreaterThan(15);
    const known = new Set([...Object.keys(FROM_RESOURCES), ...Object.keys(NOT_IN_AZURE), ...OPERATIONAL]);
    expect(settings.filter((s) => !known.has(s))).toEqual([]);
  });

  const OPERATIONAL = [
    'HISTORY_RETENTION',
    'DEFAULT_MAX_PARALLELISM',
    'LOG_LEVEL',
    'DACPAC_ALLOWED_HOSTS',
    'SQLSERVER_ENCRYPT',
    'SQLSERVER_TRUST_SERVER_CERTIFICATE',
    'POSTGRES_SSLMODE',
    'SQLITE_TARGETS_ENABLED',
    'SQLPACKAGE_PATH',
  ];

  it('sets every operational setting of src/config.ts from a described parameter of main.bicep, which main.bicepparam reads from the azd environment', async () => {
    const root = (await tree(main)).rootNode;
    const parameters = new Map(descendants(root, 'parameter_declaration').map((p) => [p.namedChildren[0]!.text, p]));
    const settings = await appSettingsOfMain();
    const params = text(path.join(INFRA, 'main.bicepparam'));
    const problems: string[] = [];
    for (const setting of OPERATIONAL) {
      const value = settings.get(setting);
      if (!value) {
        problems.push(`${setting}: not set`);
        continue;
      }
      const used = descendants(value, 'identifier').map((i) => i.text).concat(value.type === 'identifier' ? [value.text] : []);
      const parameter = used.find((u) => parameters.has(u));
      if (!parameter) {
        problems.push(`${setting}: set without a parameter (${value.text})`);
        continue;
      }
      const description = descriptionOf(parameters.get(parameter)!) ?? '';
      if (!/^Optional\. /.test(description) || !/default/i.test(description)) problems.push(`${setting}: ${parameter} is not described with the product's default`);
      if (!new RegExp(`^param ${parameter} = .*readEnvironmentVariable\\('${setting}'`, 'm').test(params)) problems.push(`${setting}: main.bicepparam does not read ${parameter} from ${setting}`);
    }
    expect(problems).toEqual([]);
  });

  it('hands the app the webhook signing key only as a Key Vault reference, from a secure parameter', async () => {
    const root = (await tree(main)).rootNode;
    const parameter = descendants(root, 'parameter_declaration').find((p) => p.namedChildren[0]?.text === 'webhookSigningKey')!;
    expect(parameter.previousNamedSibling?.text).toContain('@secure()');
    const value = (await appSettingsOfMain()).get('WEBHOOK_SIGNING_KEY');
    expect(value?.text).toBe("'@Microsoft.KeyVault(SecretUri=${keyVault.outputs.webhookSigningKeySecretUri})'");
    const vault = text(path.join(INFRA, 'modules/keyVault.bicep'));
    expect(vault).toMatch(/@secure\(\)\n@description\('Optional\. WEBHOOK_SIGNING_KEY/);
    expect(vault).toMatch(/resource signingKey 'Microsoft\.KeyVault\/vaults\/secrets@[\d-]+' = if \(!empty\(webhookSigningKey\)\)/);
    // Never an output of the value itself.
    expect(descendants((await tree(path.join(INFRA, 'modules/keyVault.bicep'))).rootNode, 'output_declaration').map((o) => o.text).join('\n')).not.toMatch(/properties\.value|webhookSigningKey\s*$/m);
    expect(text(path.join(INFRA, 'main.bicepparam'))).toMatch(/^param webhookSigningKey = readEnvironmentVariable\('WEBHOOK_SIGNING_KEY', ''\)$/m);
  });

  it('ships a scheduled query rule on Application Insights for failed executions, per job, from the JobExecutionEnded events', async () => {
    const alerts = path.join(INFRA, 'modules/alerts.bicep');
    const root = (await tree(alerts)).rootNode;
    const rule = descendants(root, 'resource_declaration').find((d) => (stringValue(d.namedChildren[1]) ?? '').startsWith('Microsoft.Insights/scheduledQueryRules@'))!;
    expect(rule).toBeDefined();
    const body = bodyOf(rule)!;
    expect(propertyValue(body, 'kind')?.text).toBe("'LogAlert'");
    const source = text(alerts);
    expect(source).toContain('| where name == "JobExecutionEnded"');
    expect(source).toContain('| where lifecycle in ("Failed", "TimedOut")');
    expect(source).toContain('summarize failedExecutions = dcount(executionId) by jobName');
    expect(source).toMatch(/metricMeasureColumn: 'failedExecutions'/);
    expect(source).toMatch(/scopes: \[\s+applicationInsights\.id\s+\]/);
    // The event name the rule queries is the one the app emits.
    const telemetry = text(path.join(INFRA, '..', 'src', 'notifications', 'telemetry.ts'));
    expect(telemetry).toContain("export const JOB_EXECUTION_ENDED_EVENT = 'JobExecutionEnded';");
    const module = descendants((await tree(main)).rootNode, 'module_declaration').find((m) => m.namedChildren[0]?.text === 'alerts')!;
    expect(stringValue(module.namedChildren[1])).toBe('modules/alerts.bicep');
    expect(module.text).toMatch(/applicationInsightsName: applicationInsights\.outputs\.name/);
  });

  it('gives each hosting plan SKU its own plan name (Azure cannot change FC1 to EP1 in place)', async () => {
    const root = (await tree(main)).rootNode;
    const names = descendants(root, 'object_property').find((p) => p.namedChildren[0]?.text === 'plan' && p.parent?.parent?.text.includes('functionApp:'))!;
    const value = names.namedChildren[1]!;
    expect(value.type).toBe('ternary_expression');
    const [condition, flex, premium] = value.namedChildren;
    expect(condition.text).toBe("hostingPlan == 'FlexConsumption'");
    expect(flex.text).not.toBe(premium.text);
    expect(flex.text).toBe("'plan-${resourceToken}'");
    expect(premium.text).toMatch(/^'plan-ep-\$\{resourceToken\}'$/);
    const app = text(path.join(INFRA, 'modules/functionApp.bicep'));
    expect(app).toMatch(/name: planName/);
  });

  it('grants AcrPull on the image registry in the same provision, before the app pulls', async () => {
    const acr = text(path.join(INFRA, 'modules/acrPull.bicep'));
    expect(acr).toContain('7f951dda-4ed3-4680-a7ca-43fe172d538d'); // AcrPull
    const root = (await tree(main)).rootNode;
    const functionApp = descendants(root, 'module_declaration').find((m) => m.namedChildren[0]?.text === 'functionApp')!;
    const dependsOn = propertyValue(bodyOf(functionApp)!, 'dependsOn');
    expect(dependsOn?.text).toMatch(/\bacrPull\b/);
    const module = descendants(root, 'module_declaration').find((m) => m.namedChildren[0]?.text === 'acrPull')!;
    expect(module.text).toMatch(/principalId: identity\.outputs\.principalId/);
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
