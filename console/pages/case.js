import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { html, Outcome, score3, typing, when } from '../html.js';
import { lastQueue } from './queue.js';
import { workflowLink } from './decisions.js';

const canReview = (session) => session.roles.includes('review') || session.roles.includes('admin');

/** The review as it stands: Temporal's view while the workflow runs, the log's once it is recorded. */
const reviewOf = (status) => status?.decision?.review ?? status?.audit?.review;

function ReviewState({ review, outcome, justNow }) {
  if (!review) return html`<p class="state">Decided <${Outcome} value=${outcome} /> without review.</p>`;
  if (review.state === 'pending') return html`<p class="state pending">Waiting for review.</p>`;
  if (review.state === 'escalated') {
    const text = `Escalated ${when(review.at)}: nobody reviewed it in time. Final outcome `;
    return html`<p class="state escalated" role="status">${text}<${Outcome} value=${review.finalOutcome} />.</p>`;
  }
  const note = review.note ? ` — “${review.note}”` : '';
  const text = `${justNow ? 'Reviewed' : 'Already reviewed'}: ${review.state} by ${review.reviewer ?? '?'} ${when(review.at)}${note}. Final outcome `;
  return html`<p class="state done" role="status">${text}<${Outcome} value=${review.finalOutcome} />.</p>`;
}

function ReviewForm({ id, session, onDone }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(undefined);
  const noteRef = useRef(null);
  async function act(action) {
    if (busy) return;
    // The field itself, not the state: a key pressed right after typing may reach a handler bound
    // before the last keystroke's render.
    const text = noteRef.current?.value ?? note;
    setBusy(true);
    setError(undefined);
    try {
      await api(`/v1/decisions/${encodeURIComponent(id)}/review`, {
        method: 'POST',
        body: { action, ...(text ? { note: text } : {}) },
      });
      lastQueue.ids = lastQueue.ids.filter((x) => x !== id);
      onDone();
    } catch (err) {
      // 409: someone else reviewed it first, or it escalated: the reason says which.
      setError(err instanceof ApiError && err.status === 403 ? `Refused: ${err.message}` : err.message);
      if (err instanceof ApiError && err.status === 409) onDone();
    } finally {
      setBusy(false);
    }
  }
  useEffect(() => {
    const onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (typing(event)) {
        if (event.key === 'Escape') event.target.blur();
        return;
      }
      if (event.key === 'a' || event.key === 'd') {
        event.preventDefault();
        void act(event.key === 'a' ? 'approve' : 'decline');
      } else if (event.key === 'n') {
        event.preventDefault();
        noteRef.current?.focus();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });
  if (!canReview(session))
    return html`<p class="notice">
      Your key '${session.name}' lacks the 'review' role: you can read this case, not decide it.
    </p>`;
  return html`<form class="review" onSubmit=${(e) => e.preventDefault()} aria-label="Review">
    <label for="note">Note (kept with the decision)</label>
    <textarea
      id="note"
      ref=${noteRef}
      rows="2"
      maxlength="2000"
      value=${note}
      onInput=${(e) => setNote(e.currentTarget.value)}
    ></textarea>
    <div class="actions">
      <button type="button" class="approve" disabled=${busy} onClick=${() => act('approve')}>
        <kbd>a</kbd> Approve
      </button>
      <button type="button" class="decline" disabled=${busy} onClick=${() => act('decline')}>
        <kbd>d</kbd> Decline
      </button>
      <span class="muted">as ${session.name}</span>
    </div>
    <p class="hint">
      <kbd>n</kbd> writes a note, <kbd>Esc</kbd> leaves it, <kbd>j</kbd>/<kbd>k</kbd> next/previous case,
      <kbd>q</kbd> back to the queue.
    </p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </form>`;
}

function Models({ models }) {
  if (!models?.length) return html`<p class="muted">No member models (rules alone).</p>`;
  return html`<table>
    <caption>
      Member models
    </caption>
    <thead>
      <tr>
        <th scope="col">Step</th>
        <th scope="col">Model</th>
        <th scope="col">Arm</th>
        <th scope="col">Status</th>
        <th scope="col">Score</th>
        <th scope="col">Latency</th>
      </tr>
    </thead>
    <tbody>
      ${models.map(
        (m) =>
          html`<tr>
            <td>${m.step}</td>
            <td>${m.model}@${m.version}</td>
            <td>${m.arm}</td>
            <td>${m.status}${m.late ? ' (late)' : ''}</td>
            <td class="num">${score3(m.score)}</td>
            <td class="num">
              ${m.latencyMs === null || m.latencyMs === undefined ? '' : `${m.latencyMs.toFixed(1)} ms`}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function Rules({ audit }) {
  const { rules, thresholds } = audit;
  if (rules) {
    const [decider, ...others] = rules.matched;
    const decided = decider
      ? html`decided by rule <strong class="rule">${decider}</strong>${others.length ? `; also matched: ${others.join(', ')}` : ''}`
      : 'no rule matched; its default decided';
    return html`<p>Rule set <strong>${rules.name}@${rules.version}</strong>: ${decided}.</p>`;
  }
  if (thresholds) return html`<p>Thresholds: decline ≥ ${thresholds.decline}, review ≥ ${thresholds.review}.</p>`;
  return null;
}

function Similar({ similar }) {
  if (!similar) return html`<p class="muted">This pipeline looks up no similar cases.</p>`;
  if (similar.length === 0) return html`<p class="muted">No similar past case found.</p>`;
  return html`<table>
    <caption>
      Similar past cases
    </caption>
    <thead>
      <tr>
        <th scope="col">Case</th>
        <th scope="col">Similarity</th>
        <th scope="col">Outcome</th>
        <th scope="col">Label</th>
      </tr>
    </thead>
    <tbody>
      ${similar.map(
        (s) =>
          html`<tr>
            <td>
              ${s.caseId ? html`<a href=${`#/case/decision-${encodeURIComponent(s.caseId)}`}>${s.caseId}</a>` : s.id}
            </td>
            <td class="num">${score3(s.score)}</td>
            <td>${s.outcome ? html`<${Outcome} value=${s.outcome} />` : ''}</td>
            <td>${s.label ?? 'unlabelled'}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function Trail({ audit, session }) {
  const review = audit.review;
  const items = [
    [
      audit.decidedAt,
      `decided ${audit.outcome} (score ${score3(audit.score)}) by ${audit.pipeline.name}@${audit.pipeline.version}${audit.degraded ? ', degraded' : ''}`,
    ],
    [audit.recordedAt, 'recorded in the decision log'],
    ...(review && review.state !== 'pending'
      ? [
          [
            review.at,
            `review ${review.state}${review.reviewer ? ` by ${review.reviewer}` : ''} → ${review.finalOutcome}${review.note ? `: “${review.note}”` : ''}`,
          ],
        ]
      : []),
    ...audit.feedback.map((f) => [
      f.receivedAt,
      `labelled ${f.label}${f.source ? ` (${f.source})` : ''}${f.actor ? ` by ${f.actor}` : ''}${f.note ? `: ${f.note}` : ''}`,
    ]),
  ].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return html`<ol class="trail">
      ${items.map(([at, what]) => html`<li><time datetime=${at}>${when(at)}</time> ${what}</li>`)}
    </ol>
    <p>${workflowLink(session, audit.workflowId, 'Workflow history in the Temporal UI')}</p>`;
}

/** One case: the evidence, the clock, and approve/decline (`a`/`d`). */
export function CasePage({ id, session }) {
  const [status, setStatus] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [acted, setActed] = useState(false);
  const heading = useRef(null);
  async function load() {
    try {
      setStatus(await api(`/v1/decisions/${encodeURIComponent(id)}`));
      setError(undefined);
    } catch (err) {
      setError(err.message);
    }
  }
  useEffect(() => {
    setStatus(undefined);
    setActed(false);
    void load();
    heading.current?.focus();
  }, [id]);
  useEffect(() => {
    const onKey = (event) => {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      const at = lastQueue.ids.indexOf(id);
      const step = { j: 1, k: -1 }[event.key];
      if (event.key === 'q') location.hash = '#/queue';
      else if (step) {
        const next = at < 0 ? lastQueue.ids[0] : lastQueue.ids[at + step];
        if (next) location.hash = `#/case/${encodeURIComponent(next)}`;
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [id]);

  const audit = status?.audit;
  const review = reviewOf(status);
  const pending = review?.state === 'pending' && !acted;
  return html`<h1 tabindex="-1" ref=${heading}>Case ${audit?.caseId ?? id}</h1>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${status === undefined && !error ? html`<p class="loading">Loading…</p>` : ''}
    ${status && status.status !== 'decided' ? html`<p class="state">This decision is ${status.status}${status.error ? `: ${status.error}` : ''}.</p>` : ''}
    ${status && !audit && status.status === 'decided' ? html`<p class="notice">Not in the decision log yet; reload in a moment.</p>` : ''}
    ${
      audit &&
      html`<section class="summary" aria-label="Decision">
          <p class="score">
            Combined score <strong>${score3(audit.score)}</strong> · decided <${Outcome} value=${audit.outcome} />${` · ${audit.pipeline.name}@${audit.pipeline.version}`}${audit.degraded ? html` · <span class="tag">degraded</span>` : ''}
          </p>
          <div id="review-state" tabindex="-1">
            <${ReviewState} review=${review} outcome=${audit.outcome} justNow=${acted} />
          </div>
          ${
            pending
              ? html`<${ReviewForm}
                  id=${id}
                  session=${session}
                  onDone=${async () => {
                    setActed(true);
                    await load();
                    document.getElementById('review-state')?.focus();
                  }}
                />`
              : ''
          }
        </section>
        <div class="columns">
          <section aria-labelledby="why">
            <h2 id="why">Why</h2>
            <ul class="reasons">
              ${audit.reasons.map((r) => html`<li>${r}</li>`)}
            </ul>
            <${Rules} audit=${audit} /><${Models} models=${audit.models} />
          </section>
          <section aria-labelledby="input">
            <h2 id="input">Input</h2>
            ${
              audit.input
                ? html`<dl class="input">
                    ${Object.entries(audit.input).map(
                      ([k, v]) =>
                        html`<dt>${k}</dt>
                          <dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`,
                    )}
                  </dl>`
                : html`<p class="muted">
                    Not stored (ARBITER_STORE_INPUT=false); hash ${audit.inputHash.slice(0, 12)}…
                  </p>`
            }
          </section>
        </div>
        <section aria-labelledby="similar">
          <h2 id="similar">Similar past cases</h2>
          <${Similar} similar=${audit.similar} />
        </section>
        <section aria-labelledby="trail">
          <h2 id="trail">Audit trail</h2>
          <${Trail} audit=${audit} session=${session} />
        </section>`
    }`;
}
