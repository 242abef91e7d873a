import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { api } from '../api.js';
import { duration, html, when } from '../html.js';

const pct = (n) => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(1)}%`);

// Colours chosen for contrast on white and told apart by line style too (dashes), not hue alone.
const COLOURS = {
  approve: '#1b7f3b',
  decline: '#b3261e',
  review: '#8a5a00',
  total: '#1f3a93',
  p50: '#1f3a93',
  p99: '#b3261e',
  degraded: '#6b3fa0',
};

/** One uPlot chart, sized to its box; redrawn when the data changes. */
function Chart({ title, data, series, yLabel, range }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current) return undefined;
    const plot = new uPlot(
      {
        title,
        width: Math.max(320, box.current.clientWidth),
        height: 220,
        series: [
          {},
          ...series.map((s, i) => ({ label: s.label, stroke: s.colour, width: 2, dash: i % 2 ? [6, 3] : undefined })),
        ],
        // The whole window, even when few buckets have decisions (one point alone spans years otherwise).
        scales: { x: { time: true, range: () => range } },
        axes: [{}, { label: yLabel }],
      },
      data,
      box.current,
    );
    return () => plot.destroy();
  }, [data]);
  return html`<figure class="chart">
    <div ref=${box} role="img" aria-label=${`${title} (chart; the tables below give the figures)`}></div>
  </figure>`;
}

/** Decisions and outcomes over time, latency, degraded rate, the review backlog, members, batches. */
export function DashboardPage() {
  const [hours, setHours] = useState('24');
  const [activity, setActivity] = useState(undefined);
  const [error, setError] = useState(undefined);
  async function load(h = hours) {
    try {
      setActivity(await api(`/v1/decisions/activity?hours=${encodeURIComponent(h)}`));
      setError(undefined);
    } catch (err) {
      setError(err.message);
    }
  }
  useEffect(() => {
    void load();
  }, []);

  const t = activity?.timeline ?? [];
  const xs = t.map((b) => Date.parse(b.t) / 1000);
  const col = (k) => t.map((b) => b[k]);
  const rate = (k) => t.map((b) => (b.n ? b[k] / b.n : null));
  const models = activity ? memberRows(activity) : [];
  const range = activity ? [Date.parse(activity.since) / 1000, Date.now() / 1000] : [0, 1];
  const totals = t.reduce((a, b) => ({ n: a.n + b.n, degraded: a.degraded + b.degraded }), { n: 0, degraded: 0 });

  return html`<h1>Dashboard</h1>
    <form
      class="filters"
      onSubmit=${(e) => {
        e.preventDefault();
        void load();
      }}
      aria-label="Dashboard window"
    >
      <label
        >Window
        <select
          value=${hours}
          onChange=${(e) => {
            setHours(e.currentTarget.value);
            void load(e.currentTarget.value);
          }}
        >
          <option value="1">last hour</option>
          <option value="24">last 24 hours</option>
          <option value="168">last 7 days</option>
          <option value="720">last 30 days</option>
        </select></label
      >
      <button type="submit">Reload</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      activity &&
      html` <section class="tiles" aria-label="Now">
          <div class="tile"><span class="big">${totals.n}</span> decisions</div>
          <div class="tile"><span class="big">${activity.backlog.reviewsPending}</span> waiting for review</div>
          <div class="tile">
            <span class="big">${duration(activity.backlog.oldestReviewAgeS * 1000)}</span> oldest review waiting
          </div>
          <div class="tile"><span class="big">${pct(totals.n ? totals.degraded / totals.n : null)}</span> degraded</div>
        </section>
        ${
          t.length === 0
            ? html`<p class="empty">No decisions in this window.</p>`
            : html`<div class="charts">
                <${Chart} range=${range}
                  title="Decisions by outcome"
                  yLabel="decisions"
                  data=${[xs, col('n'), col('approve'), col('decline'), col('review')]}
                  series=${[
                    { label: 'all', colour: COLOURS.total },
                    { label: 'approve', colour: COLOURS.approve },
                    { label: 'decline', colour: COLOURS.decline },
                    { label: 'review', colour: COLOURS.review },
                  ]}
                />
                <${Chart} range=${range}
                  title="Outcome rates"
                  yLabel="share"
                  data=${[xs, rate('approve'), rate('decline'), rate('review'), rate('degraded')]}
                  series=${[
                    { label: 'approve', colour: COLOURS.approve },
                    { label: 'decline', colour: COLOURS.decline },
                    { label: 'review', colour: COLOURS.review },
                    { label: 'degraded', colour: COLOURS.degraded },
                  ]}
                />
                <${Chart} range=${range}
                  title="Latency"
                  yLabel="ms"
                  data=${[xs, col('p50'), col('p99')]}
                  series=${[
                    { label: 'p50', colour: COLOURS.p50 },
                    { label: 'p99', colour: COLOURS.p99 },
                  ]}
                />
              </div>`
        }
        <section aria-labelledby="members">
          <h2 id="members">Member models</h2>
          <table>
            <caption>
              Agreement with the final outcome; accuracy against feedback labels (${activity.stats.labelled} labelled)
            </caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" class="num">Calls</th>
                <th scope="col" class="num">Agreement</th>
                <th scope="col" class="num">Labelled</th>
                <th scope="col" class="num">Accuracy</th>
                <th scope="col" class="num">AUC</th>
              </tr>
            </thead>
            <tbody>
              ${models.map(
                (m) =>
                  html`<tr>
                    <td>${m.key}</td>
                    <td class="num">${m.n ?? ''}</td>
                    <td class="num">${pct(m.agreement)}</td>
                    <td class="num">${m.labelled ?? 0}</td>
                    <td class="num">${pct(m.accuracy)}</td>
                    <td class="num">${m.auc === null || m.auc === undefined ? '–' : m.auc.toFixed(3)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <p>
            ${`Decisions: accuracy ${pct(activity.stats.decision.accuracy)}, automated ${pct(activity.stats.decision.coverage)}.`}
          </p>
        </section>
        <section aria-labelledby="batches">
          <h2 id="batches">Batches</h2>
          ${
            activity.batches.length === 0
              ? html`<p class="muted">No batch runs yet.</p>`
              : html`<table>
                  <caption>
                    Newest runs
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Batch</th>
                      <th scope="col">Status</th>
                      <th scope="col">Progress</th>
                      <th scope="col">Pipeline</th>
                      <th scope="col">Started</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${activity.batches.map(
                      (b) =>
                        html`<tr>
                          <td>${b.batchId}</td>
                          <td>${b.status}</td>
                          <td>${progress(b)}</td>
                          <td>${b.pipeline.name}@${b.pipeline.version}</td>
                          <td>${when(b.startedAt)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${
            activity.schedules === undefined
              ? html`<p class="muted">Schedules could not be read from Temporal.</p>`
              : activity.schedules.length === 0
                ? html`<p class="muted">No batch schedules.</p>`
                : html`<table>
                    <caption>
                      Schedules
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">When</th>
                        <th scope="col">Next run</th>
                        <th scope="col">Running</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${activity.schedules.map(
                        (s) =>
                          html`<tr>
                            <td>${s.name}${s.paused ? ' (paused)' : ''}</td>
                            <td>${s.spec}</td>
                            <td>${when(s.nextRuns[0])}</td>
                            <td>${s.running.join(', ')}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
          }
        </section>`
    }`;
}

function progress(b) {
  const read = typeof b.counts.read === 'number' ? b.counts.read : undefined;
  if (read === undefined) return b.status === 'running' ? 'running' : '';
  const label = b.total ? `${read} of ${b.total}` : `${read}`;
  return b.total
    ? html`<progress max=${b.total} value=${read} aria-label=${`batch ${b.batchId}`}></progress> ${label}`
    : label;
}

/** Agreement (every call) and accuracy (labelled ones) side by side, per model@version. */
function memberRows(activity) {
  const rows = new Map();
  for (const a of activity.agreement)
    rows.set(`${a.model}@${a.version}`, { key: `${a.model}@${a.version}`, n: a.n, agreement: a.agreement });
  for (const m of activity.stats.models) {
    const key = `${m.model}@${m.version}`;
    rows.set(key, { ...(rows.get(key) ?? { key }), labelled: m.n, accuracy: m.accuracy, auc: m.auc });
  }
  return [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));
}
