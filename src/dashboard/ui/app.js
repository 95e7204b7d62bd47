// The Elastic Jobs dashboard: recent executions, one execution with a grid of its databases,
// jobs with their next fire times, targets with a dry run. Everything it shows comes from the
// HTTP API with the caller's own key (local host) or App Service session (Azure), and it shows
// only the actions the caller's role allows (GET /caller). Written with Preact and htm, served
// from their installed packages: no build step, nothing fetched from elsewhere.
import { h, render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import htm from 'htm';

const html = htm.bind(h);
const settings = JSON.parse(document.getElementById('settings').textContent);
const KEY_STORAGE = 'elastic-jobs.api-key';
/** How often a running execution is read again (the issue asks for progress within 2 s). */
const REFRESH_MS = 1500;
const PAGE_SIZE = 50;

const TERMINAL = new Set(['Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped']);
const LIFECYCLES = ['Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions', 'Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped'];
const WINDOWS = [
  ['1h', 'Last hour', 3600e3],
  ['24h', 'Last 24 hours', 86400e3],
  ['7d', 'Last 7 days', 7 * 86400e3],
  ['all', 'All time', Infinity],
];

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** Calls the API; the key (never in the URL) goes in x-functions-key. Throws ApiError with the problem's detail. */
async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (settings.auth === 'key' && key) headers['x-functions-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${settings.apiBase}/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  const value = text ? JSON.parse(text) : undefined;
  if (!res.ok && res.status !== 202) throw new ApiError(res.status, (value && (value.detail || value.title)) || `HTTP ${res.status}`);
  return value;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const isTerminal = (execution) => TERMINAL.has(execution.lifecycle);

/** The hash route: #/executions, #/executions/<id>, #/jobs, #/targets. */
function useRoute() {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'executions').split('/');
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onHash = () => setRoute(read());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** Loads `load()` now and again every `everyMs` while `keepGoing(value)` holds. */
function usePolled(load, deps, everyMs, keepGoing = () => true) {
  const [state, setState] = useState({ value: undefined, error: undefined });
  const keep = useRef(keepGoing);
  keep.current = keepGoing;
  useEffect(() => {
    let stopped = false;
    let timer;
    const tick = async () => {
      try {
        const value = await load();
        if (stopped) return;
        setState({ value, error: undefined });
        if (everyMs && keep.current(value)) timer = setTimeout(tick, everyMs);
      } catch (error) {
        if (stopped) return;
        setState((s) => ({ value: s.value, error }));
        if (everyMs) timer = setTimeout(tick, everyMs * 2);
      }
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
  return state;
}

function Lifecycle({ value }) {
  return html`<span class=${`badge lc-${value}`}>${value}</span>`;
}

/** Children per lifecycle as one stacked bar, with the numbers in its accessible name. */
function CountsBar({ counts }) {
  const entries = LIFECYCLES.map((l) => [l, counts?.[l] ?? 0]).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const label = total ? entries.map(([l, n]) => `${n} ${l}`).join(', ') : 'no databases yet';
  return html`<div class="bar" role="img" aria-label=${label} title=${label}>
    ${entries.map(([l, n]) => html`<span class=${`seg lc-${l}`} style=${`flex-grow:${n}`}></span>`)}
  </div>`;
}

function ErrorNote({ error }) {
  return error ? html`<p class="error" role="alert">${error.message}</p>` : null;
}

function ExecutionsView({ jobs }) {
  const [job, setJob] = useState('');
  const [lifecycle, setLifecycle] = useState('');
  const [windowName, setWindowName] = useState('24h');
  const { value, error } = usePolled(() => api(`executions?includeInactive=true&limit=200${job ? `&jobName=${encodeURIComponent(job)}` : ''}`), [job], 2000);
  const span = WINDOWS.find(([n]) => n === windowName)[2];
  const items = (value?.items ?? []).filter((e) => (!lifecycle || e.lifecycle === lifecycle) && Date.now() - Date.parse(e.createdAt) <= span);
  return html`<section aria-labelledby="executions-title">
    <h1 id="executions-title">Job executions</h1>
    <div class="filters">
      <label>Job <select value=${job} onChange=${(e) => setJob(e.currentTarget.value)}>
        <option value="">All jobs</option>
        ${jobs.map((j) => html`<option value=${j.name}>${j.name}</option>`)}
      </select></label>
      <label>Lifecycle <select value=${lifecycle} onChange=${(e) => setLifecycle(e.currentTarget.value)}>
        <option value="">Any</option>
        ${LIFECYCLES.map((l) => html`<option value=${l}>${l}</option>`)}
      </select></label>
      <label>Created <select value=${windowName} onChange=${(e) => setWindowName(e.currentTarget.value)}>
        ${WINDOWS.map(([n, text]) => html`<option value=${n}>${text}</option>`)}
      </select></label>
    </div>
    <${ErrorNote} error=${error} />
    ${value && items.length === 0 ? html`<p>No job executions match.</p>` : null}
    ${items.length > 0
      ? html`<table>
          <thead><tr><th scope="col">Job</th><th scope="col">Lifecycle</th><th scope="col">Databases</th><th scope="col">Created</th><th scope="col">Ended</th><th scope="col">Message</th></tr></thead>
          <tbody>${items.map(
            (e) => html`<tr>
              <td><a href=${`#/executions/${e.id}`}>${e.jobName}</a></td>
              <td><${Lifecycle} value=${e.lifecycle} /></td>
              <td class="wide"><${CountsBar} counts=${e.counts} /></td>
              <td>${when(e.createdAt)}</td>
              <td>${when(e.endTime)}</td>
              <td class="message">${e.lastMessage ?? ''}</td>
            </tr>`,
          )}</tbody>
        </table>`
      : null}
  </section>`;
}

function CancelButton({ execution, onDone }) {
  const dialog = useRef();
  const [error, setError] = useState();
  const confirm = async () => {
    dialog.current.close();
    try {
      await api(`executions/${execution.id}/cancel`, { method: 'POST' });
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  return html`<span>
    <button type="button" class="danger" onClick=${() => dialog.current.showModal()}>Cancel</button>
    <dialog ref=${dialog} aria-labelledby="cancel-title">
      <h2 id="cancel-title">Cancel this execution?</h2>
      <p>Running statements are cancelled on their servers; databases not yet started do not start.</p>
      <div class="actions">
        <button type="button" class="danger" onClick=${confirm}>Yes, cancel the execution</button>
        <button type="button" onClick=${() => dialog.current.close()}>Keep it running</button>
      </div>
    </dialog>
    <${ErrorNote} error=${error} />
  </span>`;
}

function TaskOutput({ taskId }) {
  const { value, error } = usePolled(() => api(`tasks/${taskId}`), [taskId], 0);
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!value) return html`<p>Loading…</p>`;
  const output = value.output;
  if (!output) return html`<p>This job does not capture output.</p>`;
  return html`<div class="output">
    ${output.messages.length ? html`<pre aria-label="Messages">${output.messages.join('\n')}</pre>` : html`<p>No messages.</p>`}
    ${output.resultSets.map(
      (set, i) => html`<table class="resultset" aria-label=${`Result set ${i + 1}`}>
        <thead><tr>${set.columns.map((c) => html`<th scope="col">${c.name}</th>`)}</tr></thead>
        <tbody>${set.rows.map((row) => html`<tr>${row.map((v) => html`<td>${v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>`)}</tr>`)}</tbody>
      </table>`,
    )}
    ${output.truncated ? html`<p class="note">Output was cut to its limits.</p>` : null}
  </div>`;
}

/** One database: its attempts (task executions) with their messages, and captured output on demand. */
function ChildDetail({ child, version }) {
  const { value, error } = usePolled(() => api(`executions/${child.id}/tasks`), [child.id, version], 0);
  const [open, setOpen] = useState();
  const tasks = value?.items ?? [];
  return html`<section class="detail" aria-labelledby="child-title">
    <h2 id="child-title">${child.target?.databaseName ?? child.id} <small>on ${child.target?.serverName ?? ''}</small></h2>
    <p><${Lifecycle} value=${child.lifecycle} /> ${child.lastMessage ? html`<span class="message">${child.lastMessage}</span>` : null}</p>
    <${ErrorNote} error=${error} />
    ${value && tasks.length === 0 ? html`<p>No attempt yet.</p>` : null}
    <ol class="attempts">
      ${tasks.map(
        (t) => html`<li>
          <strong>Attempt ${t.attempt}</strong> <${Lifecycle} value=${t.lifecycle} /> ${when(t.startTime)} → ${when(t.endTime)}
          ${t.message ? html`<p class="message">${t.message}</p>` : null}
          <button type="button" onClick=${() => setOpen(open === t.id ? undefined : t.id)} aria-expanded=${open === t.id}>Output of attempt ${t.attempt}</button>
          ${open === t.id ? html`<${TaskOutput} taskId=${t.id} />` : null}
        </li>`,
      )}
    </ol>
  </section>`;
}

function ExecutionView({ id, access }) {
  const [version, setVersion] = useState(0);
  const { value: execution, error } = usePolled(() => api(`executions/${id}?includeChildren=true`), [id, version], REFRESH_MS, (e) => !isTerminal(e));
  const [filter, setFilter] = useState('');
  const [lifecycle, setLifecycle] = useState('');
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState();
  const children = execution?.children ?? [];
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return children
      .filter((c) => (!lifecycle || c.lifecycle === lifecycle) && (!f || `${c.target?.serverName ?? ''} ${c.target?.databaseName ?? ''}`.toLowerCase().includes(f)))
      .sort((a, b) => `${a.target?.serverName}/${a.target?.databaseName}`.localeCompare(`${b.target?.serverName}/${b.target?.databaseName}`));
  }, [children, filter, lifecycle]);
  useEffect(() => setPage(0), [filter, lifecycle]);
  if (error && !execution) return html`<${ErrorNote} error=${error} />`;
  if (!execution) return html`<p>Loading…</p>`;
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const current = shown.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const chosen = selected && children.find((c) => c.id === selected);
  return html`<section aria-labelledby="execution-title">
    <p><a href="#/executions">← All executions</a></p>
    <h1 id="execution-title">${execution.jobName} <${Lifecycle} value=${execution.lifecycle} /></h1>
    <dl class="facts">
      <dt>Execution</dt><dd><code>${execution.id}</code></dd>
      <dt>Created</dt><dd>${when(execution.createdAt)}</dd>
      <dt>Started</dt><dd>${when(execution.startTime)}</dd>
      <dt>Ended</dt><dd>${when(execution.endTime)}</dd>
      <dt>Message</dt><dd class="message">${execution.lastMessage ?? '—'}</dd>
      ${execution.cancelRequested && !isTerminal(execution) ? html`<dt>Cancel</dt><dd>requested; waiting for running statements to stop</dd>` : null}
    </dl>
    <${CountsBar} counts=${execution.counts} />
    <p class="legend">${LIFECYCLES.filter((l) => execution.counts?.[l]).map((l) => html`<span><span class=${`swatch lc-${l}`}></span>${l} ${execution.counts[l]}</span>`)}</p>
    ${access !== 'read' && !isTerminal(execution) ? html`<${CancelButton} execution=${execution} onDone=${() => setVersion((v) => v + 1)} />` : null}
    <${ErrorNote} error=${error} />
    <h2>Databases (${children.length})</h2>
    <div class="heat" role="list" aria-label="Every database by lifecycle">
      ${children.map((c) => html`<button type="button" role="listitem" class=${`cell lc-${c.lifecycle}${c.id === selected ? ' selected' : ''}`} title=${`${c.target?.databaseName}: ${c.lifecycle}`} aria-label=${`${c.target?.databaseName} on ${c.target?.serverName}: ${c.lifecycle}`} onClick=${() => setSelected(c.id)}></button>`)}
    </div>
    <div class="filters">
      <label>Filter databases <input type="search" value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)} /></label>
      <label>Lifecycle <select value=${lifecycle} onChange=${(e) => setLifecycle(e.currentTarget.value)}>
        <option value="">Any</option>
        ${LIFECYCLES.map((l) => html`<option value=${l}>${l}</option>`)}
      </select></label>
    </div>
    <table aria-label="Databases of this execution">
      <thead><tr><th scope="col">Database</th><th scope="col">Server</th><th scope="col">Lifecycle</th><th scope="col">Attempts</th><th scope="col">Message</th></tr></thead>
      <tbody>${current.map(
        (c) => html`<tr class=${c.id === selected ? 'selected' : ''}>
          <td><button type="button" class="link" onClick=${() => setSelected(c.id)}>${c.target?.databaseName ?? c.id}</button></td>
          <td>${c.target?.serverName ?? ''}</td>
          <td><${Lifecycle} value=${c.lifecycle} /></td>
          <td>${c.attempts ?? 0}</td>
          <td class="message">${c.lastMessage ?? ''}</td>
        </tr>`,
      )}</tbody>
    </table>
    ${pages > 1
      ? html`<nav class="pager" aria-label="Pages of databases">
          <button type="button" disabled=${page === 0} onClick=${() => setPage(page - 1)}>Previous page</button>
          <span>Page ${page + 1} of ${pages}</span>
          <button type="button" disabled=${page + 1 >= pages} onClick=${() => setPage(page + 1)}>Next page</button>
        </nav>`
      : null}
    ${chosen ? html`<${ChildDetail} child=${chosen} version=${`${chosen.lifecycle}:${chosen.attempts}`} />` : null}
  </section>`;
}

function JobsView({ jobs, access, reload }) {
  const { value: triggers } = usePolled(() => api('triggers'), [], 10_000);
  const [error, setError] = useState();
  const start = async (name) => {
    try {
      const execution = await api(`jobs/${encodeURIComponent(name)}/executions`, { method: 'POST' });
      location.hash = `#/executions/${execution.id}`;
    } catch (e) {
      setError(e);
    }
  };
  const triggersOf = (name) => (triggers?.items ?? []).filter((t) => t.jobName === name);
  return html`<section aria-labelledby="jobs-title">
    <h1 id="jobs-title">Jobs</h1>
    <${ErrorNote} error=${error} />
    <button type="button" onClick=${reload}>Refresh</button>
    <table>
      <thead><tr><th scope="col">Job</th><th scope="col">Content</th><th scope="col">Schedules (next fire time)</th>${access !== 'read' ? html`<th scope="col">Action</th>` : null}</tr></thead>
      <tbody>${jobs.map(
        (j) => html`<tr>
          <td>${j.name}</td>
          <td>${j.contentName ?? '—'}${j.contentVersion ? ` v${j.contentVersion}` : ''}</td>
          <td>${triggersOf(j.name).map((t) => html`<div>${t.scheduleName}: ${when(t.nextFireTime)}</div>`)}</td>
          ${access !== 'read' ? html`<td><button type="button" onClick=${() => start(j.name)} aria-label=${`Start job ${j.name}`}>Start</button></td>` : null}
        </tr>`,
      )}</tbody>
    </table>
  </section>`;
}

function describeTarget(t) {
  if (t.type === 'customCollection') return t.name;
  return [t.serverName, t.databaseName ?? t.elasticPoolName ?? t.shardMapName].filter(Boolean).join(' / ');
}

function TargetsView() {
  const { value, error } = usePolled(() => api('targets?limit=1000'), [], 0);
  const [dry, setDry] = useState({});
  const dryRun = async (id) => {
    try {
      const result = await api(`targets/${id}/databases`);
      setDry((d) => ({ ...d, [id]: { items: result.items } }));
    } catch (e) {
      setDry((d) => ({ ...d, [id]: { error: e } }));
    }
  };
  return html`<section aria-labelledby="targets-title">
    <h1 id="targets-title">Targets</h1>
    <${ErrorNote} error=${error} />
    <table>
      <thead><tr><th scope="col">Type</th><th scope="col">Engine</th><th scope="col">Target</th><th scope="col">Expands to now</th></tr></thead>
      <tbody>${(value?.items ?? []).map(
        (t) => html`<tr>
          <td>${t.type}</td><td>${t.engine ?? ''}</td><td>${describeTarget(t)}</td>
          <td>
            <button type="button" onClick=${() => dryRun(t.id)} aria-label=${`Dry run of ${describeTarget(t)}`}>Dry run</button>
            ${dry[t.id]?.error ? html`<${ErrorNote} error=${dry[t.id].error} />` : null}
            ${dry[t.id]?.items ? html`<ul class="databases">${dry[t.id].items.map((d) => html`<li>${d.serverName} / ${d.databaseName}</li>`)}</ul>` : null}
          </td>
        </tr>`,
      )}</tbody>
    </table>
  </section>`;
}

function KeyForm({ onKey, failed }) {
  const [key, setKey] = useState('');
  return html`<form class="key" onSubmit=${(e) => {
    e.preventDefault();
    onKey(key);
  }}>
    <h1>Elastic Jobs</h1>
    <p>This host needs an API key (ELASTIC_JOBS_API_KEY, or ELASTIC_JOBS_READER_API_KEY to look only). It is kept for this browser session only.</p>
    ${failed ? html`<p class="error" role="alert">That key was not accepted.</p>` : null}
    <label>API key <input type="password" autocomplete="off" value=${key} onInput=${(e) => setKey(e.currentTarget.value)} required /></label>
    <button type="submit">Open the dashboard</button>
  </form>`;
}

function App() {
  const route = useRoute();
  const [caller, setCaller] = useState();
  const [attempt, setAttempt] = useState(0);
  const [jobs, setJobs] = useState([]);
  const loadJobs = useCallback(() => api('jobs?limit=1000').then((r) => setJobs(r.items), () => undefined), []);
  useEffect(() => {
    api('caller').then(
      (c) => setCaller(c),
      (e) => setCaller({ error: e }),
    );
  }, [attempt]);
  useEffect(() => {
    if (caller?.access) loadJobs();
  }, [caller, loadJobs]);
  if (!caller) return html`<p class="loading">Loading…</p>`;
  if (caller.error?.status === 401) {
    if (settings.auth === 'key') {
      return html`<${KeyForm} failed=${!!sessionStorage.getItem(KEY_STORAGE)} onKey=${(key) => {
        sessionStorage.setItem(KEY_STORAGE, key);
        setAttempt((a) => a + 1);
      }} />`;
    }
    return html`<p>Sign in first: <a href=${`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname)}`}>sign in with Microsoft Entra ID</a>.</p>`;
  }
  if (caller.error) return html`<${ErrorNote} error=${caller.error} />`;
  const [view, id] = route;
  const signOut = () => {
    sessionStorage.removeItem(KEY_STORAGE);
    setCaller(undefined);
    setAttempt((a) => a + 1);
  };
  return html`<div>
    <header>
      <strong class="brand">Elastic Jobs</strong>
      <nav aria-label="Views">
        <a href="#/executions" aria-current=${view === 'executions' ? 'page' : undefined}>Executions</a>
        <a href="#/jobs" aria-current=${view === 'jobs' ? 'page' : undefined}>Jobs</a>
        <a href="#/targets" aria-current=${view === 'targets' ? 'page' : undefined}>Targets</a>
      </nav>
      <span class="role">Role: ${{ read: 'reader', operate: 'operator', admin: 'admin' }[caller.access]}</span>
      ${settings.auth === 'key' && sessionStorage.getItem(KEY_STORAGE) ? html`<button type="button" onClick=${signOut}>Forget key</button>` : null}
    </header>
    <main>
      ${view === 'executions' && id ? html`<${ExecutionView} id=${id} access=${caller.access} />` : null}
      ${view === 'executions' && !id ? html`<${ExecutionsView} jobs=${jobs} />` : null}
      ${view === 'jobs' ? html`<${JobsView} jobs=${jobs} access=${caller.access} reload=${loadJobs} />` : null}
      ${view === 'targets' ? html`<${TargetsView} />` : null}
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
