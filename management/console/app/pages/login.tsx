// Sign-in page: username and password to POST /v1/session; a wrong password and a locked account are told apart
// (the lock with its retry time), the endpoint's message shown as it is.
import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { login, type Session } from '../session.js';
import { describedBy, ErrorText, Field } from '../ui.js';

function loginMessage(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code === 'LOGIN_FAILED') return 'Wrong username or password.';
  if (err.code === 'RATE_LIMITED') return `Too many sign-in attempts: try again in ${err.retryAfter ?? 'a few'} s.`;
  if (err.code === 'LOGIN_LOCKED') {
    const at = err.retryAfter ? new Date(Date.now() + err.retryAfter * 1000).toLocaleTimeString() : null;
    return `Too many failed sign-ins: this account is locked${at ? ` until ${at} (${err.retryAfter} s)` : ''}.`;
  }
  return null;
}

export function LoginPage({ onLogin }: { onLogin: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await login(username, password));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const known = loginMessage(error);
  return (
    <main id="main" class="login">
      <h1>Attaché console</h1>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <Field id="username" label="Username">
          <input id="username" name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field id="password" label="Password">
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            aria-describedby={describedBy('password')}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <div id="login-error">
          {known ? (
            <p class="error" role="alert" data-code={(error as ApiError).code}>
              {known}
            </p>
          ) : (
            <ErrorText error={error} />
          )}
        </div>
      </form>
    </main>
  );
}
