import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../devserver/free-port';
import { testServer } from './support/environment';

// The README's first command as a person runs it: `npm run demo -- --wait-for-human` prints the
// pending refund with the exact commands that decide it; the printed `keel approve` command,
// run as printed, approves it, and the demo ends with the refund done.
const root = join(__dirname, '..');

test('the offline demo prints its approval commands, and the printed keel approve decides the refund', async () => {
  const port = await findFreePort();
  const env = { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_CLI_PATH: testServer().cliPath };
  const demo = spawn(process.execPath, ['--import', 'tsx', join(root, 'demo', 'main.ts'), '--wait-for-human'], { cwd: root, env });
  let out = '';
  let printedApprove: (command: string) => void = () => undefined;
  const approveCommand = new Promise<string>((resolve) => (printedApprove = resolve));
  const collect = (chunk: Buffer) => {
    out += chunk;
    // The block of decision commands ends with the Temporal CLI line: the event is that line, whole.
    const command = /approve: (npm run keel -- approve \S+ \S+ --key \S+ --address \S+ --task-queue \S+)/.exec(out)?.[1];
    if (command && /or sign a statement for the Temporal CLI: [^\n]*\n/.test(out)) printedApprove(command);
  };
  demo.stdout.on('data', collect);
  demo.stderr.on('data', collect);
  const exited = new Promise<number>((resolve) => demo.on('close', (code) => resolve(code ?? -1)));
  try {
    // The printed command is the event; the demo ending first is a failure that shows its output.
    const approve = await Promise.race([approveCommand, exited.then(() => undefined)]);
    if (!approve) throw new Error(`the demo printed no approve command:\n${out.slice(-3000)}`);
    expect(out).toMatch(/reject: {2}npm run keel -- reject /);
    expect(out).toMatch(/or sign a statement for the Temporal CLI: npm run keel -- statement approve /);
    const args = approve!.replace('npm run keel -- ', '').split(' ');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'tooling', 'bin.ts'), ...args], { cwd: root, env });
    expect(stdout.trim()).toMatch(/^accepted: approve apr-1-process_payment by demo-supervisor$/);
    expect(await exited).toBe(0);
    expect(out).toMatch(/^outcome: completed$/m);
    expect(out).toMatch(/approval apr-1-process_payment: approved by demo-supervisor/);
  } finally {
    demo.kill('SIGTERM');
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'devserver', 'cli.ts'), 'stop', '--port', String(port)], { cwd: root, env }).catch(() => undefined);
  }
}, 420_000);
