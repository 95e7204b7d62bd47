#!/usr/bin/env node
// @ts-check
/**
 * azd post-provision hook: gives the app's managed identity its user in the control database.
 * ARM cannot do this (it is a data-plane step); it runs as the deployer, who is the SQL server's
 * Entra administrator (main.bicepparam), with an Entra token from azd or the Azure CLI:
 *
 *   CREATE USER [<identity>] FROM EXTERNAL PROVIDER;
 *   ALTER ROLE db_datareader / db_datawriter / db_ddladmin ADD MEMBER [<identity>];
 *
 * db_ddladmin because the app migrates the control database's schema at start-up. Idempotent:
 * run it again after every provision. Reads the azd environment (outputs of infra/main.bicep):
 * AZURE_SQL_SERVER_FQDN, AZURE_SQL_DATABASE_NAME, AZURE_MANAGED_IDENTITY_NAME,
 * AZURE_MANAGED_IDENTITY_CLIENT_ID.
 */
'use strict';

const ROLES = ['db_datareader', 'db_datawriter', 'db_ddladmin'];
const SQL_SCOPE = 'https://database.windows.net/.default';

/**
 * The database user's SID for an Entra application or managed identity: its client id, as the
 * bytes of a .NET Guid (first three groups little-endian). Lets the user be created without the
 * server looking the name up in Microsoft Graph (which needs Directory Readers for the server).
 * @param {string} clientId
 */
function sidFromClientId(clientId) {
  const hex = clientId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`'${clientId}' is not a client id (GUID).`);
  const b = Buffer.from(hex, 'hex');
  const dotnet = Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
  return '0x' + dotnet.toString('hex').toUpperCase();
}

/**
 * The batch that creates the user (if missing) and grants the roles; names go through QUOTENAME.
 * @param {'externalProvider' | 'sid'} how
 */
function grantBatch(how) {
  const create =
    how === 'externalProvider'
      ? `N'CREATE USER ' + QUOTENAME(@name) + N' FROM EXTERNAL PROVIDER'`
      : `N'CREATE USER ' + QUOTENAME(@name) + N' WITH SID = ' + @sid + N', TYPE = E'`;
  return [
    'SET NOCOUNT ON;',
    'DECLARE @sql nvarchar(max);',
    'IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name)',
    'BEGIN',
    `  SET @sql = ${create};`,
    '  EXEC sp_executesql @sql;',
    'END;',
    ...ROLES.flatMap((role) => [
      `IF IS_ROLEMEMBER(N'${role}', @name) = 0 OR IS_ROLEMEMBER(N'${role}', @name) IS NULL`,
      'BEGIN',
      `  SET @sql = N'ALTER ROLE ${role} ADD MEMBER ' + QUOTENAME(@name);`,
      '  EXEC sp_executesql @sql;',
      'END;',
    ]),
  ].join('\n');
}

/** @param {NodeJS.ProcessEnv} env */
function settingsFrom(env) {
  const missing = ['AZURE_SQL_SERVER_FQDN', 'AZURE_SQL_DATABASE_NAME', 'AZURE_MANAGED_IDENTITY_NAME', 'AZURE_MANAGED_IDENTITY_CLIENT_ID'].filter((k) => !env[k]);
  if (missing.length) throw new Error(`Missing ${missing.join(', ')}: run this hook through azd (azd provision), or export the outputs of infra/main.bicep.`);
  return {
    server: /** @type {string} */ (env.AZURE_SQL_SERVER_FQDN),
    database: /** @type {string} */ (env.AZURE_SQL_DATABASE_NAME),
    identityName: /** @type {string} */ (env.AZURE_MANAGED_IDENTITY_NAME),
    identityClientId: /** @type {string} */ (env.AZURE_MANAGED_IDENTITY_CLIENT_ID),
  };
}

/** @param {unknown} error */
function firewallAdvice(error) {
  const message = error instanceof Error ? error.message : String(error);
  const ip = /Client with IP address '([^']+)' is not allowed/.exec(message)?.[1];
  if (!ip) return undefined;
  return `The SQL server's firewall does not let ${ip} in. Allow it and provision again:\n  azd env set ALLOWED_CLIENT_IP ${ip} && azd provision`;
}

async function main() {
  let sql, identity;
  try {
    sql = require('mssql');
    identity = require('@azure/identity');
  } catch {
    throw new Error('Run `npm install` first: this hook uses the mssql and @azure/identity packages of the project.');
  }
  const s = settingsFrom(process.env);
  const credential = new identity.ChainedTokenCredential(new identity.AzureDeveloperCliCredential(), new identity.AzureCliCredential());
  const token = await credential.getToken(SQL_SCOPE);
  if (!token) throw new Error('No Entra token for Azure SQL: sign in with `azd auth login` or `az login`.');

  const pool = new sql.ConnectionPool({
    server: s.server,
    database: s.database,
    port: 1433,
    authentication: { type: 'azure-active-directory-access-token', options: { token: token.token } },
    options: { encrypt: true, trustServerCertificate: false },
    connectionTimeout: 30_000,
  });
  try {
    await pool.connect();
  } catch (e) {
    throw new Error(firewallAdvice(e) ?? `Cannot connect to ${s.server}/${s.database}: ${e instanceof Error ? e.message : e}`);
  }
  try {
    const run = (/** @type {'externalProvider' | 'sid'} */ how) =>
      pool.request().input('name', sql.NVarChar(128), s.identityName).input('sid', sql.NVarChar(40), sidFromClientId(s.identityClientId)).query(grantBatch(how));
    try {
      await run('externalProvider');
    } catch (e) {
      // FROM EXTERNAL PROVIDER asks Microsoft Graph, which fails when the caller is a service
      // principal and the server has no Directory Readers; the SID form needs no lookup.
      console.warn(`CREATE USER ... FROM EXTERNAL PROVIDER failed (${e instanceof Error ? e.message : e}); creating the user from its client id instead.`);
      await run('sid');
    }
    console.log(`${s.identityName} is a user of ${s.database} with ${ROLES.join(', ')}.`);
  } finally {
    await pool.close();
  }
}

module.exports = { sidFromClientId, grantBatch, settingsFrom, firewallAdvice, ROLES };

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
