/*
 * attache-service.exe: runs `attache-agent.exe run` (the Node SEA, which cannot talk to the Service Control
 * Manager itself) as a real Windows service, and stops it gracefully.
 *
 * - Start: spawns attache-agent.exe from its own folder with stdin connected to a pipe and
 *   ATTACHE_STOP_ON_STDIN_EOF=1; stdout/stderr are appended to %ATTACHE_LOG_DIR%\agent-console.log.
 * - Stop/shutdown: closes that pipe (the agent finishes its in-flight sync and exits), waits up to
 *   STOP_TIMEOUT_MS reporting progress to the SCM, and only then terminates the process.
 * - The agent runs in a job object that kills it if this wrapper dies, so there is never an orphaned agent.
 * - If the agent exits on its own, the service stops with a service-specific error: with
 *   `sc.exe failureflag AttacheAgent 1` the SCM then runs the recovery actions set by install.ps1 (except for
 *   exit 78, "not configured", which restarting cannot fix).
 * - `--console` runs the same logic in the foreground (Ctrl+C or end of stdin stops it): for tests and debugging.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -municode -o attache-service.exe attache-service.c (scripts/build-win-service.ts)
 */
#define WIN32_LEAN_AND_MEAN
#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

#define SERVICE_NAME L"AttacheAgent"
#define STOP_TIMEOUT_MS 25000
#define CONSOLE_LOG_LIMIT (10 * 1024 * 1024)
#define EXIT_NOT_CONFIGURED 78

static SERVICE_STATUS_HANDLE g_status_handle;
static SERVICE_STATUS g_status;
static HANDLE g_stop_event;
static BOOL g_console;

static void report(DWORD state, DWORD exit_code, DWORD specific, DWORD wait_hint) {
  if (g_console) return;
  g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  g_status.dwCurrentState = state;
  g_status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN : 0;
  g_status.dwWin32ExitCode = exit_code;
  g_status.dwServiceSpecificExitCode = specific;
  g_status.dwWaitHint = wait_hint;
  g_status.dwCheckPoint = (state == SERVICE_RUNNING || state == SERVICE_STOPPED) ? 0 : g_status.dwCheckPoint + 1;
  SetServiceStatus(g_status_handle, &g_status);
}

static DWORD WINAPI control_handler(DWORD control, DWORD type, LPVOID data, LPVOID context) {
  (void)type, (void)data, (void)context;
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
    case SERVICE_CONTROL_PRESHUTDOWN:
      report(SERVICE_STOP_PENDING, NO_ERROR, 0, STOP_TIMEOUT_MS + 5000);
      SetEvent(g_stop_event);
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

static BOOL WINAPI console_handler(DWORD type) {
  (void)type;
  SetEvent(g_stop_event);
  return TRUE;
}

/* Console mode: the end of our own stdin also means "stop" (lets a test drive the wrapper without a console). */
static DWORD WINAPI stdin_watcher(LPVOID arg) {
  (void)arg;
  char buf[256];
  DWORD n;
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  while (in != INVALID_HANDLE_VALUE && in != NULL && ReadFile(in, buf, sizeof buf, &n, NULL) && n > 0) {
  }
  SetEvent(g_stop_event);
  return 0;
}

/* Folder of this executable, with a trailing backslash. */
static BOOL own_dir(wchar_t *out, DWORD size) {
  DWORD n = GetModuleFileNameW(NULL, out, size);
  if (n == 0 || n >= size) return FALSE;
  wchar_t *slash = wcsrchr(out, L'\\');
  if (!slash) return FALSE;
  slash[1] = L'\0';
  return TRUE;
}

/* ATTACHE_LOG_DIR defaults to %ProgramData%\Attache\logs, so the agent writes its rotating agent.log there. */
static void default_log_dir(void) {
  wchar_t dir[MAX_PATH], data[MAX_PATH];
  if (GetEnvironmentVariableW(L"ATTACHE_LOG_DIR", dir, MAX_PATH) > 0) return;
  DWORD n = GetEnvironmentVariableW(L"ProgramData", data, MAX_PATH);
  if (n == 0 || n >= MAX_PATH - 20) return;
  _snwprintf(dir, MAX_PATH, L"%ls\\Attache\\logs", data);
  SetEnvironmentVariableW(L"ATTACHE_LOG_DIR", dir);
}

/* Append-mode, inheritable handle for the agent's console output; restarted when it grew past the limit. */
static HANDLE open_console_log(void) {
  wchar_t dir[MAX_PATH], path[MAX_PATH + 32], parent[MAX_PATH];
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  DWORD n = GetEnvironmentVariableW(L"ATTACHE_LOG_DIR", dir, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) return INVALID_HANDLE_VALUE;
  /* The parent first (%ProgramData%\Attache on a fresh install); install.ps1 has set its ACL already. */
  wcscpy(parent, dir);
  wchar_t *slash = wcsrchr(parent, L'\\');
  if (slash) {
    *slash = L'\0';
    CreateDirectoryW(parent, NULL);
  }
  CreateDirectoryW(dir, NULL);
  _snwprintf(path, MAX_PATH + 32, L"%ls\\agent-console.log", dir);
  WIN32_FILE_ATTRIBUTE_DATA attrs;
  DWORD disposition = OPEN_ALWAYS;
  if (GetFileAttributesExW(path, GetFileExInfoStandard, &attrs) && attrs.nFileSizeLow > CONSOLE_LOG_LIMIT) disposition = CREATE_ALWAYS;
  return CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, disposition, FILE_ATTRIBUTE_NORMAL, NULL);
}

/* Runs the agent until it exits or a stop is requested; returns the agent's exit code, or -1 when it did not start. */
static int run_agent(void) {
  wchar_t dir[MAX_PATH], cmd[MAX_PATH * 2];
  if (!own_dir(dir, MAX_PATH)) return -1;
  _snwprintf(cmd, MAX_PATH * 2, L"\"%lsattache-agent.exe\" run", dir);
  /* The SEA honours NODE_OPTIONS (toolchain.md section 3): never let the machine environment inject code into it. */
  SetEnvironmentVariableW(L"NODE_OPTIONS", NULL);
  SetEnvironmentVariableW(L"ATTACHE_STOP_ON_STDIN_EOF", L"1");
  default_log_dir();

  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE stdin_read, stdin_write;
  if (!CreatePipe(&stdin_read, &stdin_write, &sa, 0)) return -1;
  SetHandleInformation(stdin_write, HANDLE_FLAG_INHERIT, 0);
  HANDLE log = open_console_log();
  /* Never hand the agent an invalid handle (a service has no console): NUL as the last resort. */
  HANDLE out = log != INVALID_HANDLE_VALUE ? log : CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);

  STARTUPINFOW si = {0};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = stdin_read;
  si.hStdOutput = out;
  si.hStdError = out;
  PROCESS_INFORMATION pi;
  HANDLE job = CreateJobObjectW(NULL, NULL);
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {0};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (job) SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);

  BOOL started = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED | CREATE_NO_WINDOW, NULL, dir, &si, &pi);
  CloseHandle(stdin_read);
  if (out != INVALID_HANDLE_VALUE) CloseHandle(out);
  if (!started) {
    CloseHandle(stdin_write);
    return -1;
  }
  if (job) AssignProcessToJobObject(job, pi.hProcess);
  ResumeThread(pi.hThread);
  CloseHandle(pi.hThread);
  report(SERVICE_RUNNING, NO_ERROR, 0, 0);

  HANDLE waits[2] = {pi.hProcess, g_stop_event};
  DWORD which = WaitForMultipleObjects(2, waits, FALSE, INFINITE);
  DWORD code = 0;
  if (which == WAIT_OBJECT_0 + 1) {
    /* Graceful stop: end of stdin; keep the SCM informed while the agent finishes its work. */
    CloseHandle(stdin_write);
    stdin_write = NULL;
    DWORD waited = 0;
    while (WaitForSingleObject(pi.hProcess, 2000) == WAIT_TIMEOUT) {
      waited += 2000;
      if (waited >= STOP_TIMEOUT_MS) {
        TerminateProcess(pi.hProcess, 1);
        WaitForSingleObject(pi.hProcess, 5000);
        break;
      }
      report(SERVICE_STOP_PENDING, NO_ERROR, 0, STOP_TIMEOUT_MS + 5000 - waited);
    }
    GetExitCodeProcess(pi.hProcess, &code);
    code = 0; /* a requested stop is a clean stop, whatever the agent returned */
  } else {
    GetExitCodeProcess(pi.hProcess, &code);
    if (code == 0) code = 1; /* the agent never exits by itself on purpose: treat it as a failure */
  }
  if (stdin_write) CloseHandle(stdin_write);
  CloseHandle(pi.hProcess);
  if (job) CloseHandle(job);
  return (int)code;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv) {
  (void)argc, (void)argv;
  g_status_handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME, control_handler, NULL);
  if (!g_status_handle) return;
  report(SERVICE_START_PENDING, NO_ERROR, 0, 10000);
  int code = run_agent();
  /* 0: stopped on request. 78 (not configured: bad config or not enrolled, see agent/src/cli/exit-codes.ts) does
   * not get better by restarting, so it is reported as a clean stop and the SCM's recovery actions stay out of it;
   * the reason is in agent-console.log. Anything else is a failure and triggers recovery. */
  if (code == 0 || code == EXIT_NOT_CONFIGURED)
    report(SERVICE_STOPPED, NO_ERROR, 0, 0);
  else
    report(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, code < 0 ? 1 : (DWORD)code, 0);
}

int wmain(int argc, wchar_t **argv) {
  g_stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (argc > 1 && wcscmp(argv[1], L"--console") == 0) {
    g_console = TRUE;
    SetConsoleCtrlHandler(console_handler, TRUE);
    CreateThread(NULL, 0, stdin_watcher, NULL, 0, NULL);
    int code = run_agent();
    if (code < 0) fwprintf(stderr, L"attache-service: cannot start attache-agent.exe (error %lu)\n", GetLastError());
    return code < 0 ? 1 : code;
  }
  SERVICE_TABLE_ENTRYW table[] = {{(LPWSTR)SERVICE_NAME, service_main}, {NULL, NULL}};
  if (!StartServiceCtrlDispatcherW(table)) {
    fwprintf(stderr, L"attache-service: run by the Service Control Manager (install.ps1), or with --console\n");
    return 1;
  }
  return 0;
}
