// The console shell: restores the session (GET /v1/session) or shows the sign-in page, then the header with the main
// navigation, the theme toggle and sign-out, and the page of the current hash route. Focus moves to the page on
// navigation so keyboard and screen-reader users land on its heading.
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api.js';
import { useLoad } from './hooks.js';
import { ActionsPage } from './pages/actions.js';
import { AdminsPage } from './pages/admins.js';
import { AuditPage } from './pages/audit.js';
import { CompliancePage } from './pages/compliance.js';
import { DashboardPage } from './pages/dashboard.js';
import { DevicePage } from './pages/device.js';
import { DevicesPage } from './pages/devices.js';
import { GroupsPage } from './pages/groups.js';
import { LoginPage } from './pages/login.js';
import { OnboardingPage } from './pages/onboarding.js';
import { PoliciesPage } from './pages/policies.js';
import { PolicyEditor } from './pages/policy-editor.js';
import { PolicyStatusPage } from './pages/policy-status.js';
import { SecurityTasksPage } from './pages/security-tasks.js';
import { TokensPage } from './pages/tokens.js';
import { VulnerabilitiesPage } from './pages/vulnerabilities.js';
import { href, type Route, useRoute } from './router.js';
import { type Abilities, abilitiesOf, currentSession, loadMe, logout, type Session } from './session.js';
import { applyTheme, storedTheme, type Theme } from './theme.js';
import { ErrorText, LiveRegion, Loading } from './ui.js';

/** The main navigation: section, label, and whether the role may open it (the API lists onboarding and admins only to those who manage them). */
const NAV: readonly [string, string, (can: Abilities) => boolean][] = [
  ['dashboard', 'Dashboard', () => true],
  ['devices', 'Devices', () => true],
  ['actions', 'Actions', (can) => can.readActions],
  ['policies', 'Policies', () => true],
  ['groups', 'Groups', () => true],
  ['compliance', 'Compliance', () => true],
  ['vulnerabilities', 'Vulnerabilities', (can) => can.readVulnerabilities],
  ['tasks', 'Security tasks', (can) => can.readTasks],
  ['onboarding', 'Onboarding', (can) => can.manageEnrollment],
  ['tokens', 'Tokens', () => true],
  ['admins', 'Admins', (can) => can.readAdmins],
  ['audit', 'Audit log', (can) => can.readAudit],
];

function Page({ route, session, can }: { route: Route; session: Session; can: Abilities }) {
  const [section = 'dashboard', id, sub] = route.parts;
  switch (section) {
    case 'devices':
      return id ? <DevicePage deviceId={id} tab={route.query.get('tab')} can={can} /> : <DevicesPage query={route.query} />;
    case 'actions':
      return <ActionsPage query={route.query} can={can} />;
    case 'policies':
      if (id === 'new') return <PolicyEditor policyId={null} can={can} />;
      if (id && sub === 'status') return <PolicyStatusPage policyId={id} />;
      return id ? <PolicyEditor policyId={id} can={can} /> : <PoliciesPage can={can} />;
    case 'groups':
      return <GroupsPage can={can} />;
    case 'compliance':
      return <CompliancePage can={can} />;
    case 'vulnerabilities':
      return <VulnerabilitiesPage route={route} can={can} />;
    case 'tasks':
      return <SecurityTasksPage route={route} can={can} />;
    case 'onboarding':
      return <OnboardingPage can={can} />;
    case 'tokens':
      return <TokensPage can={can} session={session} />;
    case 'admins':
      return <AdminsPage can={can} />;
    case 'audit':
      return <AuditPage query={route.query} />;
    default:
      return <DashboardPage />;
  }
}

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  useEffect(() => applyTheme(theme), [theme]);
  return (
    <label class="theme">
      Theme{' '}
      <select value={theme} onChange={(e) => setTheme(e.currentTarget.value as Theme)}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

function Shell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const section = route.parts[0] ?? 'dashboard';
  const permissions = useLoad(loadMe, [session.admin.adminId]);
  const can = permissions.data ? abilitiesOf(permissions.data) : undefined;
  useEffect(() => {
    main.current?.focus();
  }, [route.parts.join('/')]);
  return (
    <>
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Attaché</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter(([, , allowed]) => !can || allowed(can)).map(([key, label]) => (
              <li key={key}>
                <a href={href(key)} aria-current={section === key ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <ThemeToggle />
          <span>
            {session.admin.displayName || session.admin.username} <span class="muted">({session.admin.role})</span>
          </span>
          <button type="button" onClick={onLogout}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorText error={permissions.error} />
        {can ? <Page route={route} session={session} can={can} /> : <Loading what="your permissions" />}
      </main>
      <footer class="bottom">
        <LiveRegion />
      </footer>
    </>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  useEffect(() => {
    currentSession().then(setSession, (err) => setError(describeError(err)));
  }, []);
  if (error)
    return (
      <main id="main">
        <p role="alert">{error}</p>
      </main>
    );
  if (session === undefined) return <Loading what="session" />;
  if (session === null) return <LoginPage onLogin={setSession} />;
  const signOut = () => {
    logout().finally(() => setSession(null));
  };
  return <Shell session={session} onLogout={signOut} />;
}
