import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KEEL_SEARCH_ATTRIBUTE_NAMES } from '../core/search-attributes';
import { loadScenarios } from '../scripted-model';

// No Docker engine runs here, so the compose file is checked against the code it describes.
const root = join(__dirname, '..');
interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

test('the Temporal service keeps its data, registers Keel search attributes and exposes gRPC and the UI', () => {
  const temporal = compose.services.temporal!;
  const command = temporal.command!;
  expect(command.slice(0, 2)).toEqual(['server', 'start-dev']);
  const attributes = command.filter((a) => a.startsWith('--search-attribute=')).map((a) => a.split('=')[1]);
  expect(attributes.sort()).toEqual([...KEEL_SEARCH_ATTRIBUTE_NAMES].sort());
  expect(command.filter((a) => a.startsWith('--search-attribute=')).every((a) => a.endsWith('=Keyword'))).toBe(true);
  const db = command.find((a) => a.startsWith('--db-filename='))!.split('=')[1]!;
  const dataVolume = temporal.volumes!.find((v) => db.startsWith(`${v.split(':')[1]}/`))!;
  expect(compose.volumes).toHaveProperty(dataVolume.split(':')[0]!);
  expect(temporal.ports).toEqual(expect.arrayContaining(['7233:7233', '8233:8233']));
});

test('the worker and the scripted model run commands that exist, against services that exist', () => {
  const { worker, install } = compose.services;
  const scripted = compose.services['scripted-model']!;
  expect(worker!.command).toEqual(['npm', 'run', 'worker']);
  expect(pkg.scripts.worker).toBeDefined();
  expect(existsSync(join(root, pkg.scripts.worker!.split(' ').at(-1)!))).toBe(true);
  expect(install!.command!.slice(0, 2)).toEqual(['npm', 'ci']);

  const scenarioFile = scripted.command![scripted.command!.indexOf('--scenarios') + 1]!;
  expect(loadScenarios(readFileSync(join(root, scenarioFile), 'utf8')).length).toBeGreaterThan(0);
  expect(existsSync(join(root, scripted.command![2]!))).toBe(true);

  const port = scripted.command![scripted.command!.indexOf('--port') + 1];
  expect(worker!.environment!.ANTHROPIC_BASE_URL).toContain(`http://scripted-model:${port}`);
  const [host, grpcPort] = worker!.environment!.TEMPORAL_ADDRESS!.split(':');
  expect(compose.services).toHaveProperty(host!);
  expect(compose.services[host!]!.ports).toContain(`${grpcPort}:${grpcPort}`);
  for (const service of Object.values(compose.services)) {
    for (const dependency of Object.keys(service.depends_on ?? {})) expect(compose.services).toHaveProperty(dependency);
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (!source.startsWith('.')) expect(compose.volumes).toHaveProperty(source);
    }
  }
});

test('the inbox runs its npm script, shares the secrets folder with the worker, and trusts what the worker trusts', () => {
  const { inbox, worker } = compose.services;
  expect(inbox!.command).toEqual(['npm', 'run', 'inbox']);
  expect(existsSync(join(root, pkg.scripts.inbox!.split(' ').at(-1)!))).toBe(true);
  expect(inbox!.environment!.TEMPORAL_ADDRESS).toBe(worker!.environment!.TEMPORAL_ADDRESS);
  expect(inbox!.environment!.KEEL_TASK_QUEUE).toBe(worker!.environment!.KEEL_TASK_QUEUE);
  const secrets = (s: Service) => s.volumes!.find((v) => v.endsWith(':/secrets:ro'));
  expect(secrets(inbox!)).toBe(secrets(worker!));
  for (const path of [inbox!.environment!.KEEL_INBOX_ISSUER_KEY, inbox!.environment!.KEEL_INBOX_USERS, worker!.environment!.KEEL_APPROVER_KEYS]) expect(path).toMatch(/^\/secrets\//);
  expect(inbox!.ports).toContain(`${inbox!.environment!.KEEL_INBOX_PORT}:${inbox!.environment!.KEEL_INBOX_PORT}`);
});
