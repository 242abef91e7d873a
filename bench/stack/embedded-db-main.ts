// The embedded PostgreSQL (PGlite) as a process of its own for the chaos and soak benches, so its
// WebAssembly work neither stalls the bench's client nor hides in the bench's CPU time.
// Env: BENCH_PG_DIR (data dir), BENCH_PG_PORT. Prints `ready <url>`; stops on SIGTERM/SIGINT.
import { startEmbeddedDatabase } from '../../admin/database';

async function main(): Promise<void> {
  const dataDir = process.env.BENCH_PG_DIR;
  const port = Number(process.env.BENCH_PG_PORT);
  if (!dataDir || !Number.isInteger(port)) throw new Error('BENCH_PG_DIR and BENCH_PG_PORT are required');
  // Two orchestrator pools of 10, a model pool of 4 and the bench's own: more than the default 32 after restarts.
  const db = await startEmbeddedDatabase({ dataDir, port, host: '127.0.0.1', maxConnections: 96 });
  process.stdout.write(`ready ${db.url}\n`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  await db.stop();
  process.stdout.write(`stopped on ${signal}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded-db: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
