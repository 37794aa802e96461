/** Stops the dev server of the test run. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { keelTestServer?: { stop(): Promise<void> } }).keelTestServer?.stop();
}
