/**
 * Starts a dev server the way `npm run demo` does on a fresh machine (the CLI found or built first),
 * then stops it; prints each step, so a test sees whether the process ever got there.
 * Env: KEEL_FIRST_START_ROOT (a repository root without .temporal), KEEL_FIRST_START_PORT.
 */
import { join } from 'node:path';
import { startDevServer } from '../../devserver';

async function main(): Promise<void> {
  const root = process.env.KEEL_FIRST_START_ROOT!;
  const server = await startDevServer({
    repoRoot: root,
    port: Number(process.env.KEEL_FIRST_START_PORT),
    headless: true,
    detached: true,
    dbFile: join(root, 'temporal.db'),
    startTimeoutMs: 5000,
    log: (line) => console.log(`log: ${line}`),
  });
  console.log(`ready ${server.address}`);
  await server.stop();
  console.log('stopped');
}

main().catch((error: Error) => {
  console.error(`failed: ${error.name}: ${error.message}`);
  process.exit(1);
});
