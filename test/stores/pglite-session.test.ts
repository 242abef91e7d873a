import type { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { oneSessionView } from '../../stores/pglite-session';

// Backend messages as PostgreSQL frames them: a type byte, then a length that counts itself.
const message = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const dataRow = (text: string) => {
  const value = Buffer.from(text);
  const body = Buffer.alloc(2 + 4 + value.length);
  body.writeUInt16BE(1, 0);
  body.writeUInt32BE(value.length, 2);
  value.copy(body, 6);
  return message('D', body);
};
const notification = (channel: string, payload: string) =>
  message('A', Buffer.concat([Buffer.alloc(4), Buffer.from(`${channel}\0${payload}\0`)]));
const ready = message('Z', Buffer.from('I'));
const query = (sql: string) => new Uint8Array(message('Q', Buffer.from(`${sql}\0`)));

/** A PGlite stand-in whose every message answers `output`, cut into chunks at `cuts`. */
function fakeDb(output: Buffer, cuts: number[]): PGlite {
  const db = {
    isInTransaction: () => false,
    execProtocolRawStream: (_: Uint8Array, { onRawData }: { onRawData: (d: Uint8Array) => void }) => {
      let from = 0;
      for (const cut of [...cuts, output.length]) {
        // PGlite hands out views of a buffer it reuses: so does the stand-in.
        const scratch = Buffer.from(output.subarray(from, cut));
        onRawData(scratch);
        scratch.fill(0);
        from = cut;
      }
      return Promise.resolve();
    },
  };
  return db as unknown as PGlite;
}

describe('oneSessionView, hearing notifications in chunked output', () => {
  const rows = Buffer.concat([dataRow('x'.repeat(300)), dataRow('y'.repeat(300))]);
  const output = Buffer.concat([rows, notification('arbiter_registry', '7'), notification('other', '1'), ready]);
  const expected = Buffer.concat([rows, notification('other', '1'), ready]);

  // Cuts inside the first row, inside the notification's header and inside its channel name.
  for (const cuts of [[], [100], [rows.length + 3], [rows.length + 12], [1, 2, 3, 400, rows.length + 10]]) {
    it(`takes out only its channel's notification, the rest whole and in order (cut at ${cuts.join(', ') || 'nothing'})`, async () => {
      let heard = 0;
      const view = oneSessionView(fakeDb(output, cuts), {
        listen: { channel: 'arbiter_registry', heard: () => void heard++, lost: () => undefined },
      });
      const received: Buffer[] = [];
      await view.execProtocolRawStream(query('SELECT 1'), { onRawData: (d) => void received.push(Buffer.from(d)) });
      expect(heard).toBe(1);
      expect(Buffer.concat(received).equals(expected)).toBe(true);
    });
  }

  it('says the watch is lost when a client may have ended the LISTEN', async () => {
    let lost = 0;
    const view = oneSessionView(fakeDb(ready, []), {
      listen: { channel: 'arbiter_registry', heard: () => undefined, lost: () => void lost++ },
    });
    await view.execProtocolRawStream(query('SELECT 1'), { onRawData: () => undefined });
    expect(lost).toBe(0);
    await view.execProtocolRawStream(query('UNLISTEN *'), { onRawData: () => undefined });
    await view.execProtocolRawStream(query('discard all'), { onRawData: () => undefined });
    expect(lost).toBe(2);
  });
});
