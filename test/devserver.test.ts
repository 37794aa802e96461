import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { KEEL_SEARCH_ATTRIBUTE_NAMES, KEEL_SEARCH_ATTRIBUTES } from '../core/search-attributes';
import {
  DatabaseInUseError,
  DevServerStartError,
  ensureSearchAttributes,
  findFreePort,
  findKeelRoot,
  findTemporalCli,
  pidFilePath,
  PortInUseError,
  SearchAttributeTypeConflictError,
  silentLog,
  startDevServer,
  TemporalCliNotFoundError,
  TemporalCliPathError,
  type DevServer,
} from '../devserver';

const KEEL_ROOT = findKeelRoot();
const TSX = path.join(KEEL_ROOT, 'node_modules', '.bin', 'tsx');
const DEV_SERVER_CLI = path.join(KEEL_ROOT, 'devserver', 'cli.ts');
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const keelState = defineSearchAttributeKey(KEEL_SEARCH_ATTRIBUTES.state, SearchAttributeType.KEYWORD);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-devserver-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Runs a command to its end; resolves with its exit code and output. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('findTemporalCli', () => {
  test('TEMPORAL_CLI_PATH naming a missing file is a typed error that names it', async () => {
    const missing = path.join(tmp, 'no-such-temporal');
    const error = await findTemporalCli({ env: { TEMPORAL_CLI_PATH: missing }, log: silentLog }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporalCliPathError);
    expect(error).toMatchObject({ variable: 'TEMPORAL_CLI_PATH', path: missing, problem: 'missing' });
    expect((error as Error).message).toContain(missing);
  });

  test('TEMPORAL_CLI_PATH naming a file that is not executable is a typed error', async () => {
    const plain = path.join(tmp, 'plain-file');
    fs.writeFileSync(plain, 'not a program', { mode: 0o644 });
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: plain }, log: silentLog })).rejects.toMatchObject({
      name: 'TemporalCliPathError',
      problem: 'not-executable',
    });
  });

  test('TEMPORAL_CLI_PATH naming an executable wins over everything else', async () => {
    const fake = path.join(tmp, 'fake-temporal');
    fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
    await expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: fake, PATH: '' }, log: silentLog })).resolves.toBe(fake);
  });

  test('with nothing to find, no build and no download, the error lists every attempt and the options', async () => {
    const emptyRoot = fs.mkdtempSync(path.join(tmp, 'root-'));
    const savedTmp = process.env['TMPDIR'];
    process.env['TMPDIR'] = emptyRoot; // where the SDK's own download would be cached
    try {
      const error = await findTemporalCli({
        env: { PATH: '' },
        repoRoot: emptyRoot,
        build: false,
        download: false,
        log: silentLog,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TemporalCliNotFoundError);
      expect((error as TemporalCliNotFoundError).attempts).toHaveLength(6);
      expect((error as Error).message).toMatch(/TEMPORAL_CLI_PATH/);
      expect((error as Error).message).toMatch(/install Go/);
      expect((error as Error).message).toMatch(/install the Temporal CLI/);
    } finally {
      if (savedTmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = savedTmp;
    }
  });
});

describe('startDevServer', () => {
  let cliPath: string;
  beforeAll(async () => {
    // Builds the CLI into .temporal/bin on a fresh clone (about 4 minutes once), else finds it.
    cliPath = await findTemporalCli();
  }, 900_000);

  test('starts, registers search attributes, keeps data across a restart, and is reused when running', async () => {
    const port = await findFreePort();
    const dbFile = path.join(tmp, 'persist', 'temporal.db');
    const options = { port, headless: true, dbFile, cliPath, log: silentLog };

    const first = await startDevServer(options);
    let second: DevServer | undefined;
    let connection: Connection | undefined;
    const workflowId = `devserver-probe-${Date.now()}`;
    try {
      expect(first).toMatchObject({ address: `127.0.0.1:${port}`, namespace: 'default', reused: false, dbFile });
      expect(first.uiUrl).toBeUndefined();
      expect(fs.readFileSync(pidFilePath(dbFile), 'utf8').trim()).toBe(String(first.pid));

      connection = await Connection.connect({ address: first.address });
      const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const name of KEEL_SEARCH_ATTRIBUTE_NAMES) expect(listed.customAttributes?.[name]).toBe(KEYWORD);
      const namespaces = await connection.workflowService.listNamespaces({});
      expect(namespaces.namespaces.map((n) => n.namespaceInfo?.name)).toContain('default');

      // A workflow with no worker stays Running: it is the data that must survive a restart.
      const client = new Client({ connection });
      await client.workflow.start('keelDevServerProbe', {
        taskQueue: `devserver-test-${port}`,
        workflowId,
        typedSearchAttributes: [{ key: keelState, value: 'running' }],
      });

      // Running again on the same port reuses the server and starts nothing.
      second = await startDevServer(options);
      expect(second).toMatchObject({ address: first.address, reused: true });
      expect(second.pid).toBeUndefined();
      await second.stop(); // no-op
      await expect(connection.workflowService.getSystemInfo({})).resolves.toBeDefined();

      // The same database on another port would be a second server on one SQLite file.
      const otherPort = await findFreePort();
      await expect(startDevServer({ ...options, port: otherPort })).rejects.toBeInstanceOf(DatabaseInUseError);
    } finally {
      await connection?.close();
      await first.stop();
    }
    expect(await waitUntilGone(first.pid ?? -1, 5_000)).toBe(true);
    expect(fs.existsSync(pidFilePath(dbFile))).toBe(false);

    const restarted = await startDevServer(options);
    try {
      expect(restarted.reused).toBe(false);
      const client = new Client({ connection: await Connection.connect({ address: restarted.address }) });
      try {
        const description = await client.workflow.getHandle(workflowId).describe();
        expect(description.status.name).toBe('RUNNING');
        expect(description.typedSearchAttributes.get(keelState)).toBe('running');
        const found: string[] = [];
        for await (const wf of client.workflow.list({ query: `KeelState="running" AND WorkflowId="${workflowId}"` })) {
          found.push(wf.workflowId);
        }
        expect(found).toEqual([workflowId]);
      } finally {
        await client.connection.close();
      }
    } finally {
      await restarted.stop();
    }
    process.stdout.write(
      `dev server: fresh start ${first.startupMs} ms, reuse ${second?.startupMs ?? '?'} ms, ` +
        `restart on an existing db ${restarted.startupMs} ms\n`,
    );
  });

  test('ensureSearchAttributes adds what is missing, once, and refuses a type conflict', async () => {
    const port = await findFreePort();
    const server = await startDevServer({ port, headless: true, dbFile: path.join(tmp, 'sa', 'temporal.db'), cliPath, log: silentLog });
    const connection = await Connection.connect({ address: server.address });
    try {
      await expect(ensureSearchAttributes(connection, 'default', [...KEEL_SEARCH_ATTRIBUTE_NAMES, 'KeelTestExtra'])).resolves.toEqual([
        'KeelTestExtra',
      ]);
      await expect(ensureSearchAttributes(connection, 'default', ['KeelTestExtra'])).resolves.toEqual([]);
      await connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: { KeelTestInt: 3 } });
      await expect(ensureSearchAttributes(connection, 'default', ['KeelTestInt'])).rejects.toBeInstanceOf(
        SearchAttributeTypeConflictError,
      );

      // Reusing the server for another namespace registers the namespace and Keel's attributes in it.
      const reused = await startDevServer({ port, headless: true, namespace: 'keel-other', cliPath, log: silentLog });
      expect(reused).toMatchObject({ reused: true, namespace: 'keel-other' });
      const listed = await connection.operatorService.listSearchAttributes({ namespace: 'keel-other' });
      for (const name of KEEL_SEARCH_ATTRIBUTE_NAMES) expect(listed.customAttributes?.[name]).toBe(KEYWORD);
    } finally {
      await connection.close();
      await server.stop();
    }
  });

  test('a server that exits at once is a typed error carrying its output', async () => {
    const port = await findFreePort();
    const error = await startDevServer({
      port,
      headless: true,
      dbFile: path.join(tmp, 'bad', 'temporal.db'),
      cliPath,
      log: silentLog,
      extraArgs: ['--no-such-flag'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevServerStartError);
    expect(error).toMatchObject({ failure: 'exited' });
    expect((error as DevServerStartError).outputTail.join('\n')).toMatch(/no-such-flag/);
    expect(fs.existsSync(pidFilePath(path.join(tmp, 'bad', 'temporal.db')))).toBe(false);
  });

  test('a port taken by something that is not Temporal is a typed error', async () => {
    const sockets = new Set<net.Socket>();
    const squatter = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {}); // the gRPC client resets the connection
      socket.end('hello\n');
    });
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      await expect(
        startDevServer({ port, headless: true, dbFile: path.join(tmp, 'squat', 'temporal.db'), cliPath, log: silentLog }),
      ).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('an attached server dies with the process that started it', async () => {
    const port = await findFreePort();
    const dbFile = path.join(tmp, 'attached', 'temporal.db');
    const script = path.join(tmp, 'attached-parent.ts');
    fs.writeFileSync(
      script,
      `import { startDevServer, silentLog } from ${JSON.stringify(path.join(KEEL_ROOT, 'devserver'))};\n` +
        `startDevServer({ port: ${port}, headless: true, dbFile: ${JSON.stringify(dbFile)}, ` +
        `cliPath: ${JSON.stringify(cliPath)}, log: silentLog })\n` +
        `  .then((s) => { console.log('pid', s.pid); setInterval(() => {}, 1000); });\n`,
    );
    const parent = spawn(TSX, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const serverPid = await new Promise<number>((resolve, reject) => {
      parent.stdout.on('data', (chunk: Buffer) => {
        const match = /pid (\d+)/.exec(chunk.toString());
        if (match?.[1] !== undefined) resolve(Number(match[1]));
      });
      parent.once('exit', (code) => reject(new Error(`parent exited ${code}`)));
    });
    expect(isAlive(serverPid)).toBe(true);
    parent.kill('SIGTERM');
    expect(await waitUntilGone(serverPid, 15_000)).toBe(true);
  });

  test('cli.ts start runs a detached server that outlives it; status and stop find it by its pid file', async () => {
    const port = await findFreePort();
    const dbFile = path.join(tmp, 'detached', 'temporal.db');
    const flags = ['--port', String(port), '--db-file', dbFile, '--headless'];
    const env = { ...process.env, TEMPORAL_CLI_PATH: cliPath };

    // A busy machine may take long to start a server: the deadline is the test's, not the CLI's 60 s.
    const started = await run(TSX, [DEV_SERVER_CLI, 'start', ...flags, '--start-timeout', '300'], env);
    expect({ code: started.code, stderr: started.stderr }).toEqual({ code: 0, stderr: expect.any(String) as unknown });
    expect(started.stdout).toContain(`127.0.0.1:${port}`);
    const pid = Number(fs.readFileSync(pidFilePath(dbFile), 'utf8').trim());
    try {
      expect(isAlive(pid)).toBe(true); // the cli process is gone, the server is not
      expect(fs.existsSync(`${dbFile}.log`)).toBe(true);

      const again = await run(TSX, [DEV_SERVER_CLI, 'start', ...flags], env);
      expect(again.stdout).toMatch(/reusing/);

      const status = await run(TSX, [DEV_SERVER_CLI, 'status', ...flags], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`in use by pid ${pid}`);

      const stopped = await run(TSX, [DEV_SERVER_CLI, 'stop', ...flags], env);
      expect(stopped.code).toBe(0);
      expect(await waitUntilGone(pid, 5_000)).toBe(true);
      expect(fs.existsSync(pidFilePath(dbFile))).toBe(false);

      const after = await run(TSX, [DEV_SERVER_CLI, 'status', ...flags], env);
      expect(after.code).toBe(3);
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 600_000);

  test('cli.ts refuses a start deadline that is not a whole number of seconds, naming the flag', async () => {
    const bad = await run(TSX, [DEV_SERVER_CLI, 'start', '--start-timeout', 'soon'], process.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--start-timeout: not a whole number of seconds from 1 to 3600: soon');
  });
});
