/**
 * What a single string contributes to a case: its length as JSON text in UTF-8, and whether it
 * holds a NUL or a lone UTF-16 surrogate. Neither survives the trip: PostgreSQL's jsonb refuses
 * `\u0000`, and a lone surrogate has no UTF-8 form, so both are refused at the edge.
 */
export interface TextScan {
  /** `JSON.stringify(text)` in UTF-8 bytes (a lone surrogate counted as its 6-byte `\udXXX` escape). */
  bytes: number;
  nul: boolean;
  loneSurrogate: boolean;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** One pass over the string's code units, with no allocation (sandbox-safe: no Buffer). */
export function scanText(text: string): TextScan {
  let bytes = 2; // the quotes
  let nul = false;
  let loneSurrogate = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) nul = true;
    if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x20) bytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (isHigh(c) && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else if (isHigh(c) || isLow(c)) {
      loneSurrogate = true;
      bytes += 6;
    } else bytes += 3;
  }
  return { bytes, nul, loneSurrogate };
}

/** A key as a path segment people (and PostgreSQL) can take: NUL and lone surrogates escaped, long keys cut. */
export function printableKey(key: string, max = 64): string {
  let out = '';
  let i = 0;
  for (; i < key.length && out.length < max; i++) {
    const c = key.charCodeAt(i);
    if (isHigh(c) && isLow(key.charCodeAt(i + 1))) {
      out += key.slice(i, i + 2);
      i++;
    } else if (c === 0 || isHigh(c) || isLow(c)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += key[i];
  }
  return i < key.length ? `${out}…` : out;
}
