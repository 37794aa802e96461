/**
 * `npm run inbox`: the approval inbox, a web page where signed-in people decide the requests that
 * wait for them. `npm run inbox -- add-user ...` adds a local user to the users file.
 *
 * Configuration (environment):
 * - Temporal connection: Temporal's environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 *   TLS, API key, profiles), as for the worker and `keel`; KEEL_TASK_QUEUE (default `keel`).
 * - KEEL_INBOX_ISSUER_KEY: the deployment's issuer private key file (`keel keys create --issuer`), required.
 * - KEEL_INBOX_SESSION_SECRET: at least 32 characters that sign the inbox's cookies, required.
 * - KEEL_INBOX_USERS: the local users file (`add-user` makes it); and/or single sign-on:
 *   KEEL_INBOX_OIDC_ISSUER, KEEL_INBOX_OIDC_CLIENT_ID, KEEL_INBOX_OIDC_CLIENT_SECRET,
 *   KEEL_INBOX_OIDC_LABEL, KEEL_INBOX_OIDC_TENANTS_CLAIM (default `keel_tenants`),
 *   KEEL_INBOX_OIDC_ROLES_CLAIM (default `keel_roles`), KEEL_INBOX_OIDC_IDENTITY_CLAIM (default `email`).
 * - KEEL_INBOX_PORT (default 8787), KEEL_INBOX_HOST (default 127.0.0.1), KEEL_INBOX_PUBLIC_URL
 *   (default http://HOST:PORT), KEEL_TEMPORAL_UI_URL (default http://127.0.0.1:8233),
 *   KEEL_INBOX_INSECURE_COOKIES=1 (plain http on a name other than localhost; never in production),
 *   KEEL_INBOX_TRUST_PROXY=1 (behind a reverse proxy).
 * - KEEL_INBOX_WEBHOOK_URL (a Slack-compatible incoming webhook), KEEL_INBOX_WEBHOOK_POLL_MS (default 10000).
 */
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KeelClient } from '../client/keel-client';
import { readApproverKey } from '../client/approver-key';
import { addLocalUser, LocalUsers, MIN_PASSWORD_CHARS } from './local-users';
import { INBOX_DEFAULTS, startInbox } from './inbox-server';
import { connectOidcProvider } from './openid-connect';

const USAGE = `usage:
  npm run inbox                                   start the inbox (configured from the environment, see README "Approving in the inbox")
  npm run inbox -- add-user --users FILE --identity ID --tenant T [--tenant T2] [--role R] [--name NAME]
                                                  add or replace a local user; the password is read from standard input`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === 'add-user') return addUser(rest);
  if (command === 'serve') return serve();
  console.error(`unknown command "${command}"\n${USAGE}`);
  return 2;
}

async function addUser(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string' },
      identity: { type: 'string' },
      tenant: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
      name: { type: 'string' },
    },
    strict: true,
  });
  const path = values.users ?? process.env.KEEL_INBOX_USERS;
  if (!path || !values.identity || !values.tenant?.length) {
    console.error(`add-user needs --users (or KEEL_INBOX_USERS), --identity and at least one --tenant\n${USAGE}`);
    return 2;
  }
  const password = await readPassword(`password for ${values.identity} (at least ${MIN_PASSWORD_CHARS} characters): `);
  const user = await addLocalUser(resolve(path), {
    identity: values.identity,
    password,
    tenants: values.tenant,
    ...(values.role ? { roles: values.role } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  console.log(`${user.identity} can sign in to the inbox (tenants ${user.tenants.join(', ')}${user.roles.length ? `; roles ${user.roles.join(', ')}` : ''}); users file ${resolve(path)}`);
  return 0;
}

/** A password from standard input: one line when it is piped, typed without echo on a terminal. */
async function readPassword(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) {
    process.stdout.write(prompt);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  }
  const line = await new Promise<string>((done) => {
    rl.once('line', done);
    rl.once('close', () => done(''));
  });
  rl.close();
  if (process.stdin.isTTY) process.stdout.write('\n');
  return line.replace(/\r$/, '');
}

async function serve(): Promise<number> {
  const env = process.env;
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set (see README "Approving in the inbox")`);
    return value;
  };
  const issuerKey = readApproverKey(resolve(required('KEEL_INBOX_ISSUER_KEY')));
  const port = Number(env.KEEL_INBOX_PORT ?? INBOX_DEFAULTS.port);
  const host = env.KEEL_INBOX_HOST ?? INBOX_DEFAULTS.host;
  const publicUrl = env.KEEL_INBOX_PUBLIC_URL ?? `http://${host}:${port}`;
  const client = await KeelClient.connect({ taskQueue: env.KEEL_TASK_QUEUE ?? 'keel' });
  const oidc = env.KEEL_INBOX_OIDC_ISSUER
    ? await connectOidcProvider({
        issuer: env.KEEL_INBOX_OIDC_ISSUER,
        clientId: required('KEEL_INBOX_OIDC_CLIENT_ID'),
        ...(env.KEEL_INBOX_OIDC_CLIENT_SECRET ? { clientSecret: env.KEEL_INBOX_OIDC_CLIENT_SECRET } : {}),
        redirectUri: new URL('/auth/callback', publicUrl).toString(),
        ...(env.KEEL_INBOX_OIDC_LABEL ? { label: env.KEEL_INBOX_OIDC_LABEL } : {}),
        ...(env.KEEL_INBOX_OIDC_TENANTS_CLAIM ? { tenantsClaim: env.KEEL_INBOX_OIDC_TENANTS_CLAIM } : {}),
        ...(env.KEEL_INBOX_OIDC_ROLES_CLAIM ? { rolesClaim: env.KEEL_INBOX_OIDC_ROLES_CLAIM } : {}),
        ...(env.KEEL_INBOX_OIDC_IDENTITY_CLAIM ? { identityClaim: env.KEEL_INBOX_OIDC_IDENTITY_CLAIM } : {}),
      })
    : undefined;
  const inbox = await startInbox({
    client,
    issuerKey,
    sessionSecret: required('KEEL_INBOX_SESSION_SECRET'),
    ...(env.KEEL_INBOX_USERS ? { users: new LocalUsers(resolve(env.KEEL_INBOX_USERS)) } : {}),
    ...(oidc ? { oidc } : {}),
    port,
    host,
    publicUrl,
    ...(env.KEEL_TEMPORAL_UI_URL ? { temporalUiUrl: env.KEEL_TEMPORAL_UI_URL } : {}),
    ...(env.KEEL_INBOX_WEBHOOK_URL ? { webhookUrl: env.KEEL_INBOX_WEBHOOK_URL } : {}),
    ...(env.KEEL_INBOX_WEBHOOK_POLL_MS ? { webhookPollMs: Number(env.KEEL_INBOX_WEBHOOK_POLL_MS) } : {}),
    secureCookies: env.KEEL_INBOX_INSECURE_COOKIES !== '1',
    trustProxy: env.KEEL_INBOX_TRUST_PROXY === '1',
  });
  console.log(`keel inbox: listening on ${inbox.url} (task queue "${client.taskQueue}", namespace ${client.temporal.options.namespace}; decisions signed with key "${issuerKey.kid}")`);
  if (env.KEEL_INBOX_WEBHOOK_URL) console.log(`keel inbox: announcing waiting requests to ${new URL(env.KEEL_INBOX_WEBHOOK_URL).origin}`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await inbox.close();
  await client.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`keel inbox: ${(error as Error).message}`);
    process.exit(1);
  },
);
