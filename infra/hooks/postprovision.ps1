# azd post-provision hook (Windows): the app identity's user in the control database.
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '../..')
if (-not (Test-Path 'node_modules/mssql')) { npm ci --no-audit --no-fund; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE } }
node infra/hooks/createControlDatabaseUser.js
exit $LASTEXITCODE
