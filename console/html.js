import { h } from 'preact';
import htm from 'htm';

/** JSX-like templates without a build step: html`<p>${text}</p>`. */
export const html = htm.bind(h);

/** `1h 05m`, `4m 10s`, `-2m 03s` (overdue). */
export function duration(ms) {
  const sign = ms < 0 ? '-' : '';
  const s = Math.round(Math.abs(ms) / 1000);
  const [hours, minutes, seconds] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n) => String(n).padStart(2, '0');
  if (hours >= 48) return `${sign}${Math.floor(hours / 24)}d ${hours % 24}h`;
  return sign + (hours > 0 ? `${hours}h ${pad(minutes)}m` : `${minutes}m ${pad(seconds)}s`);
}

/** A local, readable instant. */
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

export const score3 = (n) => (typeof n === 'number' ? n.toFixed(3) : '');

/** An outcome as a coloured word (colour is never the only cue: the word is there). */
export const Outcome = ({ value }) => html`<span class=${`outcome outcome-${value}`}>${value}</span>`;

/** True when a key press came from a field the person is typing in. */
export const typing = (event) => {
  const t = event.target;
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
};

/** The score filter of the queue and the browser: two bounded number fields, `minScore` and `maxScore`. */
export const ScoreRange = ({ min, max, onMin, onMax }) =>
  html`<label
      >Score from <input name="minScore" type="number" min="0" max="1" step="0.01" value=${min} onInput=${onMin}
    /></label>
    <label>to <input name="maxScore" type="number" min="0" max="1" step="0.01" value=${max} onInput=${onMax} /></label>`;
