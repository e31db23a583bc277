<#
.SYNOPSIS
  Installs or upgrades the Attache agent as the Windows service "AttacheAgent".
.DESCRIPTION
  Run elevated from the folder holding attache-agent.exe and attache-service.exe:
    powershell -ExecutionPolicy Bypass -File .\install.ps1 [-OnboardingPackage .\onboarding.json]
  - Program files: %ProgramFiles%\Attache (inherits Program Files' ACL: users read, administrators write).
  - State, device key, logs: %ProgramData%\Attache, ACL reset to SYSTEM and Administrators only.
  - Service: automatic (delayed) start, restart on failure (5 s, 30 s, 60 s; counter reset daily).
  - Enrolls from the onboarding package (default: onboarding.json next to this script) unless already enrolled;
    an upgrade keeps the device identity.
#>
[CmdletBinding()]
param(
  [string]$SourceDir = $PSScriptRoot,
  [string]$OnboardingPackage = (Join-Path $PSScriptRoot 'onboarding.json')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ServiceName = 'AttacheAgent'
$InstallDir = Join-Path $env:ProgramFiles 'Attache'
$DataDir = Join-Path $env:ProgramData 'Attache'
$LogDir = Join-Path $DataDir 'logs'
$Agent = Join-Path $InstallDir 'attache-agent.exe'
# Well-known SIDs, so the ACL is right on every display language: LocalSystem and BUILTIN\Administrators.
$System = '*S-1-5-18'
$Admins = '*S-1-5-32-544'

function Invoke-Checked([string]$File, [string[]]$Arguments) {
  & $File @Arguments
  if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  throw 'Run install.ps1 from an elevated PowerShell (Run as administrator).'
}
foreach ($exe in 'attache-agent.exe', 'attache-service.exe') {
  if (-not (Test-Path (Join-Path $SourceDir $exe))) { throw "$exe not found in $SourceDir" }
}

# Upgrade: stop first (the wrapper lets the agent finish its sync), so the executables can be replaced.
$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($existing -and $existing.Status -ne 'Stopped') { Stop-Service -Name $ServiceName }

New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
Copy-Item -Force (Join-Path $SourceDir 'attache-agent.exe') $Agent
Copy-Item -Force (Join-Path $SourceDir 'attache-service.exe') (Join-Path $InstallDir 'attache-service.exe')

# Only SYSTEM and Administrators may read the device key and the state: no inherited ACEs (Users can read
# ProgramData by default), full control for both, inherited by everything below; existing files re-inherit.
New-Item -ItemType Directory -Force -Path $DataDir, $LogDir | Out-Null
Invoke-Checked icacls.exe @($DataDir, '/inheritance:r', '/grant:r', "${System}:(OI)(CI)F", "${Admins}:(OI)(CI)F", '/Q')
Invoke-Checked icacls.exe @($DataDir, '/setowner', $Admins, '/T', '/C', '/Q')
Invoke-Checked icacls.exe @((Join-Path $DataDir '*'), '/reset', '/T', '/C', '/Q')

if (-not $existing) {
  New-Service -Name $ServiceName -BinaryPathName ('"{0}"' -f (Join-Path $InstallDir 'attache-service.exe')) `
    -DisplayName 'Attache Agent' -Description 'Applies security policies from the management endpoint and reports their status.' `
    -StartupType Automatic | Out-Null
}
# Delayed start: after the network stack is up. Recovery: restart after 5 s, 30 s, then every 60 s; the failure
# counter resets after a day. failureflag 1: also when the wrapper reports the agent exited with an error.
Invoke-Checked sc.exe @('config', $ServiceName, 'start=', 'delayed-auto')
Invoke-Checked sc.exe @('failure', $ServiceName, 'reset=', '86400', 'actions=', 'restart/5000/restart/30000/restart/60000')
Invoke-Checked sc.exe @('failureflag', $ServiceName, '1')

# attache-agent on the machine PATH for admins (status, sync).
$machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
if (($machinePath -split ';') -notcontains $InstallDir) {
  [Environment]::SetEnvironmentVariable('Path', "$machinePath;$InstallDir", 'Machine')
}

$identity = Join-Path $DataDir 'identity.json'
if ((Test-Path $OnboardingPackage) -and -not (Test-Path $identity)) {
  & $Agent enroll --package $OnboardingPackage
  if ($LASTEXITCODE -ne 0) { Write-Warning "Enrollment failed (exit $LASTEXITCODE). Enroll with: & '$Agent' enroll --package FILE; Start-Service $ServiceName" }
} elseif (Test-Path $OnboardingPackage) {
  Write-Host "Already enrolled; $OnboardingPackage not used."
}

if (Test-Path $identity) {
  Start-Service -Name $ServiceName
  Write-Host "Attache agent $(& $Agent --version) installed and running."
} else {
  Write-Host "Attache agent $(& $Agent --version) installed; not enrolled yet, so the service is not started."
}
