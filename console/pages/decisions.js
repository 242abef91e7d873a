import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, Outcome, ScoreRange, score3, when } from '../html.js';

/** A link to a workflow in the Temporal UI, when the API knows where that is. */
export function workflowLink(session, workflowId, text = 'workflow') {
  if (!session.temporalUi) return '';
  const href = `${session.temporalUi}/namespaces/${encodeURIComponent(session.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return html`<a href=${href} target="_blank" rel="noopener noreferrer"
    >${text}<span class="sr-only"> (Temporal UI, new tab)</span></a
  >`;
}

// The log leaves review_state unset until a verdict: a `review` outcome without one is pending.
const reviewText = (d) => {
  if (!d.review) return d.outcome === 'review' ? 'pending' : '';
  return d.review.state === 'pending' ? 'pending' : `${d.review.state} → ${d.review.finalOutcome ?? '?'}`;
};

const FIELDS = ['outcome', 'pipeline', 'minScore', 'maxScore', 'degraded', 'review', 'label', 'since', 'until'];

// <input type="datetime-local"> speaks local time without a zone; the API wants an instant.
const toInstant = (local) => (local ? new Date(local).toISOString() : '');
const toLocal = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function Select({ name, label, value, options, onChange }) {
  return html`<label
    >${label}
    <select name=${name} value=${value} onChange=${onChange}>
      <option value="">any</option>
      ${options.map((o) => html`<option value=${o}>${o}</option>`)}
    </select></label
  >`;
}

/** Search the decision log by every filter `GET /v1/decisions` takes, a page at a time. */
export function DecisionsPage({ params, session }) {
  const initial = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? '']));
  const [form, setForm] = useState({ ...initial, since: toLocal(initial.since), until: toLocal(initial.until) });
  const [page, setPage] = useState(undefined);
  const [cursors, setCursors] = useState([undefined]);
  const [error, setError] = useState(undefined);
  const filters = () => ({ ...form, since: toInstant(form.since), until: toInstant(form.until) });

  async function load(cursor) {
    try {
      setPage(await api(`/v1/decisions${query({ ...filters(), cursor, limit: 25 })}`));
      setError(undefined);
    } catch (err) {
      setError(err.message);
    }
  }
  useEffect(() => {
    setCursors([undefined]);
    void load(undefined);
  }, [params.toString()]);

  const submit = (event) => {
    event.preventDefault();
    // The hash keeps the search: a link to it is a link to these results.
    const next = `#/decisions${query(filters())}`;
    if (location.hash === next) void load(undefined);
    else location.hash = next;
  };
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const next = () => {
    setCursors([...cursors, page.nextCursor]);
    void load(page.nextCursor);
  };
  const previous = () => {
    const back = cursors.slice(0, -1);
    setCursors(back);
    void load(back.at(-1));
  };

  return html`<h1>Decisions</h1>
    <form class="filters" onSubmit=${submit} aria-label="Decision filters">
      <${Select}
        name="outcome"
        label="Outcome"
        value=${form.outcome}
        options=${['approve', 'decline', 'review']}
        onChange=${set('outcome')}
      />
      <label>Pipeline <input name="pipeline" value=${form.pipeline} onInput=${set('pipeline')} /></label>
      <${ScoreRange}
        min=${form.minScore}
        max=${form.maxScore}
        onMin=${set('minScore')}
        onMax=${set('maxScore')}
      />
      <${Select}
        name="degraded"
        label="Degraded"
        value=${form.degraded}
        options=${['true', 'false']}
        onChange=${set('degraded')}
      />
      <${Select}
        name="review"
        label="Review"
        value=${form.review}
        options=${['pending', 'approved', 'declined', 'escalated', 'none']}
        onChange=${set('review')}
      />
      <${Select}
        name="label"
        label="Label"
        value=${form.label}
        options=${['fraud', 'legit', 'none']}
        onChange=${set('label')}
      />
      <label>Since <input name="since" type="datetime-local" value=${form.since} onInput=${set('since')} /></label>
      <label>Until <input name="until" type="datetime-local" value=${form.until} onInput=${set('until')} /></label>
      <button type="submit">Search</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      page &&
      html`<table class="decisions">
          <caption>
            Page ${cursors.length}${page.decisions.length === 0 ? ': no decisions match' : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Outcome</th>
              <th scope="col">Score</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Review</th>
              <th scope="col">Label</th>
              <th scope="col">Decided</th>
              <th scope="col">Temporal</th>
            </tr>
          </thead>
          <tbody>
            ${page.decisions.map(
              (d) =>
                html`<tr key=${d.decisionId} data-decision=${d.decisionId}>
                  <td>
                    <a href=${`#/case/${encodeURIComponent(d.decisionId)}`}>${d.caseId}</a
                    >${d.degraded ? html` <span class="tag">degraded</span>` : ''}
                  </td>
                  <td><${Outcome} value=${d.outcome} /></td>
                  <td class="num">${score3(d.score)}</td>
                  <td>${d.pipeline.name}@${d.pipeline.version}</td>
                  <td>${reviewText(d)}</td>
                  <td>${d.feedback.at(-1)?.label ?? ''}</td>
                  <td>${when(d.decidedAt)}</td>
                  <td>${workflowLink(session, d.workflowId)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled=${cursors.length < 2} onClick=${previous}>Previous page</button>
          <button type="button" disabled=${!page.nextCursor} onClick=${next}>Next page</button>
        </nav>`
    }`;
}
