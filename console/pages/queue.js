import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { duration, html, ScoreRange, score3, typing, when } from '../html.js';

/** The queue the case page moves through with j/k: the last list this tab loaded. */
export const lastQueue = { ids: [] };

/** Pending reviews, oldest first; `j`/`k` move, Enter opens, `r` reloads. */
export function QueuePage({ params }) {
  const [filters, setFilters] = useState({
    pipeline: params.get('pipeline') ?? '',
    minScore: params.get('minScore') ?? '',
    maxScore: params.get('maxScore') ?? '',
  });
  const [reviews, setReviews] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [selected, setSelected] = useState(-1);
  const rows = useRef([]);

  async function load(f = filters) {
    try {
      const { reviews: list } = await api(`/v1/reviews${query({ ...f, limit: 200 })}`);
      lastQueue.ids = list.map((r) => r.decisionId);
      setReviews(list);
      setError(undefined);
    } catch (err) {
      setError(err.message);
    }
  }
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 15_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    const onKey = (event) => {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey || !reviews?.length) return;
      const move = { j: 1, k: -1 }[event.key];
      if (move) {
        const next = Math.min(reviews.length - 1, Math.max(0, selected + move));
        setSelected(next);
        rows.current[next]?.focus();
        event.preventDefault();
      } else if (event.key === 'r') void load();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [reviews, selected]);

  const apply = (event) => {
    event.preventDefault();
    location.hash = `#/queue${query(filters)}`;
    void load(filters);
  };
  const field = (name) => (e) => setFilters({ ...filters, [name]: e.currentTarget.value });

  return html`<h1>Review queue</h1>
    <form class="filters" onSubmit=${apply} aria-label="Queue filters">
      <label>Pipeline <input name="pipeline" value=${filters.pipeline} onInput=${field('pipeline')} /></label>
      <${ScoreRange}
        min=${filters.minScore}
        max=${filters.maxScore}
        onMin=${field('minScore')}
        onMax=${field('maxScore')}
      />
      <button type="submit">Filter</button>
    </form>
    <p class="hint">Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>r</kbd> reloads.</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      reviews === undefined
        ? html`<p class="loading">Loading…</p>`
        : reviews.length === 0
          ? html`<p class="empty" role="status">Nothing waits for review.</p>`
          : html`<table class="queue">
              <caption>
                ${reviews.length} waiting, oldest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Time left</th>
                  <th scope="col">Score</th>
                  <th scope="col">Top reasons</th>
                  <th scope="col">Pipeline</th>
                </tr>
              </thead>
              <tbody>
                ${reviews.map(
                  (r, i) =>
                    html`<tr
                      key=${r.decisionId}
                      class=${i === selected ? 'selected' : ''}
                      data-decision=${r.decisionId}
                    >
                      <td>
                        <a
                          href=${`#/case/${encodeURIComponent(r.decisionId)}`}
                          ref=${(el) => (rows.current[i] = el)}
                          onFocus=${() => setSelected(i)}
                          >${r.caseId}</a
                        >${r.degraded ? html` <span class="tag">degraded</span>` : ''}
                      </td>
                      <td title=${when(r.decidedAt)}>${duration(r.ageS * 1000)}</td>
                      <td class=${r.timeLeftMs !== undefined && r.timeLeftMs < 3_600_000 ? 'urgent' : ''}>
                        ${r.timeLeftMs === undefined ? 'unknown' : html`${duration(r.timeLeftMs)} <span class="muted">then ${r.onTimeout}</span>`}
                      </td>
                      <td class="num">${score3(r.score)}</td>
                      <td>
                        <ul class="reasons">
                          ${r.topReasons.map((reason) => html`<li>${reason}</li>`)}
                        </ul>
                      </td>
                      <td>${r.pipeline.name}@${r.pipeline.version}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }`;
}
