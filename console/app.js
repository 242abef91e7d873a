import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, forgetKey, storeKey, storedKey } from './api.js';
import { html } from './html.js';
import { CasePage } from './pages/case.js';
import { DashboardPage } from './pages/dashboard.js';
import { DecisionsPage } from './pages/decisions.js';
import { QueuePage } from './pages/queue.js';

/** The page the hash names: `#/queue`, `#/case/<id>`, `#/decisions?…`, `#/dashboard`. */
function parseRoute(hash) {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  return {
    page: parts[0] ?? 'queue',
    id: parts[1] ? decodeURIComponent(parts[1]) : undefined,
    params: new URLSearchParams(search),
  };
}

function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

function SignIn({ onSignedIn, reason }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(reason);
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    try {
      const session = await api('/v1/console/session', { key });
      storeKey(key);
      onSignedIn(session);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 403 ? `This key may not read: ${err.message}` : err.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<main class="signin" id="main">
    <h1>Arbiter console</h1>
    <form onSubmit=${submit}>
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="current-password"
        required
        autofocus
        value=${key}
        onInput=${(e) => setKey(e.currentTarget.value)}
      />
      <p class="hint">The same keys as the HTTP API (ARBITER_API_KEYS). Kept for this tab only.</p>
      <button type="submit" disabled=${busy}>Sign in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
  </main>`;
}

const PAGES = [
  ['queue', 'Review queue'],
  ['decisions', 'Decisions'],
  ['dashboard', 'Dashboard'],
];

function Shell({ session, route, onSignOut }) {
  const current = route.page === 'case' ? 'queue' : route.page;
  let page;
  if (route.page === 'case' && route.id) page = html`<${CasePage} id=${route.id} session=${session} />`;
  else if (route.page === 'decisions') page = html`<${DecisionsPage} params=${route.params} session=${session} />`;
  else if (route.page === 'dashboard') page = html`<${DashboardPage} />`;
  else page = html`<${QueuePage} params=${route.params} />`;
  return html`<a
      class="skip"
      href="#main"
      onClick=${(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}
      >Skip to content</a
    >
    <header>
      <span class="brand">Arbiter</span>
      <nav aria-label="Console">
        ${PAGES.map(([id, label]) => html`<a href=${`#/${id}`} aria-current=${current === id ? 'page' : undefined}>${label}</a>`)}
      </nav>
      <span class="who">Signed in as <strong>${session.name}</strong> (${session.roles.join(', ')})</span>
      <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="main" tabindex="-1">${page}</main>`;
}

function App() {
  const route = useRoute();
  // Without a stored key the sign-in form shows at once (no flash of "Signing in…").
  const [session, setSession] = useState(() => (storedKey() ? undefined : null));
  const [reason, setReason] = useState(undefined);
  useEffect(() => {
    if (!storedKey()) return;
    api('/v1/console/session').then(setSession, (err) => {
      setReason(err.message);
      setSession(null);
    });
  }, []);
  if (session === undefined) return html`<p class="loading">Signing in…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${setSession} reason=${reason} />`;
  const signOut = () => {
    forgetKey();
    setSession(null);
  };
  return html`<${Shell} session=${session} route=${route} onSignOut=${signOut} />`;
}

const root = document.getElementById('app');
// The "Loading…" placeholder is no Preact node: render would keep it beside the app.
root.textContent = '';
render(html`<${App} />`, root);
