<#
.SYNOPSIS
  Removes the Attache agent service and program files: .\uninstall.ps1 [-Purge]
.DESCRIPTION
  Without -Purge the device identity, state and logs in %ProgramData%\Attache stay (a re-install resumes as the
  same device); with -Purge they are deleted too. Run elevated.
#>
[CmdletBinding()]
param([switch]$Purge)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ServiceName = 'AttacheAgent'
$InstallDir = Join-Path $env:ProgramFiles 'Attache'
$DataDir = Join-Path $env:ProgramData 'Attache'

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'Run uninstall.ps1 from an elevated PowerShell (Run as administrator).'
}

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($service) {
  if ($service.Status -ne 'Stopped') { Stop-Service -Name $ServiceName }
  & sc.exe delete $ServiceName | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "sc.exe delete $ServiceName failed with exit code $LASTEXITCODE" }
}
if (Test-Path $InstallDir) { Remove-Item -Recurse -Force $InstallDir }

$machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
$kept = ($machinePath -split ';') | Where-Object { $_ -and $_ -ne $InstallDir }
[Environment]::SetEnvironmentVariable('Path', ($kept -join ';'), 'Machine')

if ($Purge -and (Test-Path $DataDir)) { Remove-Item -Recurse -Force $DataDir }
Write-Host ('Attache agent removed' + $(if ($Purge) { ', with its state.' } else { '; state kept in ' + $DataDir }))
