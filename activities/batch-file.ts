import { open } from 'node:fs/promises';
import type { FileCursor } from '../core/batch/schema';

/** Bytes read from the file at a time. */
const BLOCK = 1 << 20;
const NEWLINE = 0x0a;

/** A non-empty line of an NDJSON file, numbered from 1. */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * Reads up to `count` non-empty lines from `from` (a byte offset on a line boundary). Splits on the
 * newline byte, so offsets stay exact whatever the encoding of the text; `\r\n` endings are fine.
 * `next` is where the following chunk starts; `done` when it is the end of the file (or `until`).
 */
export async function readLines(
  path: string,
  from: FileCursor,
  count: number,
  /** Stop at this byte offset (a chunk read again: its `next` cursor). @default the end of the file */
  until?: number,
): Promise<{ lines: NumberedLine[]; next: FileCursor; done: boolean }> {
  const file = await open(path, 'r');
  try {
    const size = Math.min((await file.stat()).size, until ?? Number.POSITIVE_INFINITY);
    const lines: NumberedLine[] = [];
    let pos = from.offset; // the file offset of buf[0]
    let line = from.line;
    let buf = Buffer.alloc(0);
    while (lines.length < count) {
      let nl = buf.indexOf(NEWLINE);
      if (nl < 0 && pos + buf.length < size) {
        const block = Buffer.alloc(Math.min(BLOCK, size - pos - buf.length));
        const { bytesRead } = await file.read(block, 0, block.length, pos + buf.length);
        if (bytesRead > 0) {
          buf = Buffer.concat([buf, block.subarray(0, bytesRead)]);
          continue;
        }
      }
      if (nl < 0) nl = buf.length; // the last line may have no newline
      if (nl === 0 && buf.length === 0) break;
      line += 1;
      const text = buf.toString('utf8', 0, nl).trim();
      const consumed = Math.min(nl + 1, buf.length);
      pos += consumed;
      buf = buf.subarray(consumed);
      if (text !== '') lines.push({ line, text });
    }
    return { lines, next: { offset: pos, line }, done: pos >= size };
  } finally {
    await file.close();
  }
}

/** Non-empty lines in a file (a batch's total), without holding the file in memory. */
export async function countLines(path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    let lines = 0;
    let content = false;
    const block = Buffer.alloc(BLOCK);
    for (;;) {
      const { bytesRead } = await file.read(block, 0, BLOCK, null);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const b = block[i] as number;
        if (b === NEWLINE) {
          if (content) lines += 1;
          content = false;
        } else if (b !== 0x20 && b !== 0x09 && b !== 0x0d) content = true;
      }
    }
    return content ? lines + 1 : lines;
  } finally {
    await file.close();
  }
}
