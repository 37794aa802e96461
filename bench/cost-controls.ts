/**
 * Cost benchmark: a reference workload of support sessions over several tenants, with the same
 * customers and orders looked up within and across sessions and follow-up questions, run twice on
 * one Temporal dev server against the scripted model over HTTP:
 *
 * - **off**: one frontier model for every step, no prompt caching, no tool-result cache
 *   (`routing: false, promptCaching: false, toolResultCache: false`);
 * - **on**: Keel's defaults: model routing, prompt caching, session and shared tool-result caches.
 *
 * The scripted model answers from the conversation alone (never from the model asked), and its
 * token counts are those the scripted server computes from each request's content, so both runs
 * must end every session with the same outcome and the same final output: the benchmark fails
 * loudly otherwise. Runnable alone: `npx tsx bench/cost-controls.ts [--quick]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { KeelClient } from '../client';
import { defineAgent, type Agent } from '../core/agent';
import { costOf } from '../core/pricing';
import { SeededRandom } from '../core/seeded-random';
import type { SessionResult } from '../core/session';
import type { AnyTool, ToolContext } from '../core/tool';
import { KeelMetrics } from '../metrics';
import { ScriptedModelServer, type TurnContext, type ScriptedStep } from '../scripted-model';
import { EmbeddedPostgresDatabase, PostgresDatabase, type SqlDatabase } from '../store';
import { createCrmTools, createEmailTools, createPaymentTools, createRecordsTools, migrateExampleTools } from '../tools';
import { createKeelWorker } from '../workers/keel-worker';
import { startBenchEnvironment, type BenchEnvironment } from './bench-environment';
import { formatNumber, formatTable } from '../evaluation/text-table';

/** Sizes of the cost benchmark. */
export interface CostBenchOptions {
  /** Small sizes: a run of well under a minute that still exercises every path. @default false */
  quick?: boolean;
  /** Sessions of each run. @default 240 (quick: 48) */
  sessions?: number;
  /** Tenants the sessions are spread over. @default 4 */
  tenants?: number;
  /** Customers of each tenant (some are asked about far more often than others). @default 8 */
  customersPerTenant?: number;
  /** Sessions running at once. @default 12 */
  concurrency?: number;
  /** Seed of the workload's random choices (the same seed gives the same workload). @default 7 */
  seed?: number;
  /** A PostgreSQL server for the tools and the shared cache. @default `KEEL_BENCH_DATABASE_URL`, else an embedded PostgreSQL in a temporary folder */
  databaseUrl?: string;
  /** A running bench environment (dev server, bundle); @default starts one and closes it after */
  env?: BenchEnvironment;
  /** Receives progress lines. @default stderr */
  log?: (line: string) => void;
}

/** The defaults of {@link CostBenchOptions}, in one place. */
export const DEFAULT_COST_BENCH_OPTIONS = { sessions: 240, quickSessions: 48, tenants: 4, customersPerTenant: 8, concurrency: 12, seed: 7 } as const;

/** What one run (controls off or on) measured, per session unless named a total. */
export interface CostRunResult {
  label: 'off' | 'on';
  sessions: number;
  wallMs: number;
  costUsdPerSession: number;
  /** Prompt tokens billed at the base rate or above: fresh input plus cache writes. */
  billedInputTokensPerSession: number;
  cacheWriteTokensPerSession: number;
  /** Prompt tokens read from the prompt cache (billed at a tenth). */
  cacheReadTokensPerSession: number;
  outputTokensPerSession: number;
  modelCallsPerSession: number;
  /** Tool calls the model asked for. */
  toolCallsPerSession: number;
  /** Tool calls that really ran (the rest were served from a cache). */
  toolExecutionsPerSession: number;
  /** Totals of the run: tool calls served from each cache level. */
  cacheHits: { session: number; shared: number };
  /** Total model calls by model, as the scripted server saw them. */
  modelCallsByModel: Record<string, number>;
  /**
   * The run's tokens (as the scripted server reported them) all priced at the frontier model: what
   * the caches save without routing's cheaper model (an estimate: the prompt cache's reads and writes
   * would differ slightly with one model only).
   */
  costUsdPerSessionAtFrontierPrices: number;
}

/** What the cost benchmark measured. */
export interface CostBenchResult {
  sessions: number;
  tenants: number;
  customers: number;
  off: CostRunResult;
  on: CostRunResult;
  /** 1 − on/off of the cost per session. */
  costReduction: number;
  /** The target reduction (0.35) and whether it was reached. */
  target: number;
  targetMet: boolean;
  /** Every session ended with the same outcome and the same final output in both runs (else the benchmark throws). */
  identicalOutcomes: true;
}

/** The cost reduction the cost controls must reach on this workload. */
export const COST_REDUCTION_TARGET = 0.35;

/** A final answer lacked facts its conversation should have shown (a tool result lost or unreadable): the workload proves nothing. */
export class CostBenchWorkloadError extends Error {
  override readonly name = 'CostBenchWorkloadError';
}

/** The outcomes of the two runs differ: the cost controls changed what the agent did. */
export class CostBenchMismatchError extends Error {
  override readonly name = 'CostBenchMismatchError';
}

const AGENT = 'support';
const FRONTIER = 'claude-sonnet-5-5';
const SMALL = 'claude-haiku-5-5';
const MARK = '[keel-cost-bench]';

/**
 * Runs the workload with the cost controls off, then on, and compares them. Throws
 * {@link CostBenchMismatchError} when a session's outcome or final output differs between the runs.
 */
export async function runCostBenchmark(options: CostBenchOptions = {}): Promise<CostBenchResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[bench] ${line}\n`));
  const sizes = {
    sessions: options.sessions ?? (options.quick ? DEFAULT_COST_BENCH_OPTIONS.quickSessions : DEFAULT_COST_BENCH_OPTIONS.sessions),
    tenants: options.tenants ?? DEFAULT_COST_BENCH_OPTIONS.tenants,
    customersPerTenant: options.customersPerTenant ?? DEFAULT_COST_BENCH_OPTIONS.customersPerTenant,
    concurrency: options.concurrency ?? DEFAULT_COST_BENCH_OPTIONS.concurrency,
    seed: options.seed ?? DEFAULT_COST_BENCH_OPTIONS.seed,
  };
  const ownEnv = options.env ? undefined : await startBenchEnvironment({ log });
  const env = (options.env ?? ownEnv)!;
  const databaseUrl = options.databaseUrl ?? process.env.KEEL_BENCH_DATABASE_URL;
  const pgDir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'keel-cost-bench-pg-'));
  const db: SqlDatabase = databaseUrl ? new PostgresDatabase(databaseUrl) : new EmbeddedPostgresDatabase(pgDir!);
  const runId = randomUUID().slice(0, 8);
  const workload = buildWorkload({ ...sizes, runId });
  try {
    log(`cost: ${databaseUrl ? 'PostgreSQL server' : 'embedded PostgreSQL'}; ${workload.customers.length} customers, ${workload.orders.length} orders in ${sizes.tenants} tenants`);
    await migrateExampleTools(db);
    await seedWorkload(db, workload);
    const off = await runWorkload(env, db, workload, 'off', sizes.concurrency, log);
    const on = await runWorkload(env, db, workload, 'on', sizes.concurrency, log);
    compareOutcomes(workload, off.results, on.results);
    const costReduction = 1 - on.summary.costUsdPerSession / off.summary.costUsdPerSession;
    return {
      sessions: workload.sessions.length,
      tenants: sizes.tenants,
      customers: workload.customers.length,
      off: off.summary,
      on: on.summary,
      costReduction,
      target: COST_REDUCTION_TARGET,
      targetMet: costReduction >= COST_REDUCTION_TARGET,
      identicalOutcomes: true,
    };
  } finally {
    if (databaseUrl) await dropWorkload(db, workload).catch(() => undefined);
    await db.close();
    if (pgDir) rmSync(pgDir, { recursive: true, force: true });
    await ownEnv?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The workload

interface Customer {
  tenant: string;
  id: string;
  name: string;
  email: string;
  plan: string;
}

interface Order {
  tenant: string;
  id: string;
  customerId: string;
  item: string;
  amountCents: number;
  status: string;
  placedOn: string;
}

type Call = { name: string; input: Record<string, unknown> };

/** One session of the workload: who asks, what the user writes and the tool calls of each model turn. */
interface PlannedSession {
  index: number;
  tenant: string;
  customer: Customer;
  /** The user's message (the same in both runs). */
  input: string;
  /** Tool calls of each turn before the final answer. */
  turns: Call[][];
  /** Orders the final answer reports on, in order. */
  asksAbout: string[];
  /** Whether the answer lists every order of the customer. */
  listsOrders: boolean;
}

interface Workload {
  runId: string;
  tenants: string[];
  customers: Customer[];
  orders: Order[];
  sessions: PlannedSession[];
}

const TENANT_NAMES = ['northwind', 'initech', 'umbrella', 'hooli', 'globex', 'stark', 'wayne', 'acme'];
const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Margaret', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Backus', 'Hamilton', 'Thompson', 'Perlman', 'Berners-Lee'];
const ITEMS = ['brass gear set', 'analytical engine manual', 'punched card reader', 'relay module', 'vacuum tube kit', 'core memory plane', 'teletype ribbon', 'slide rule'];
const STATUSES = ['paid', 'shipped', 'delivered', 'delayed', 'returned'];
const PLANS = ['free', 'pro', 'enterprise'];

/** Builds the tenants, customers, orders and sessions; the same seed gives the same workload. */
function buildWorkload(sizes: { sessions: number; tenants: number; customersPerTenant: number; seed: number; runId: string }): Workload {
  const random = new SeededRandom(sizes.seed, 'mulberry32-unmixed');
  const rand = () => random.next();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const tenants = Array.from({ length: sizes.tenants }, (_, t) => `bench-${TENANT_NAMES[t % TENANT_NAMES.length]}${t >= TENANT_NAMES.length ? t : ''}-${sizes.runId}`);
  const customers: Customer[] = [];
  const orders: Order[] = [];
  tenants.forEach((tenant, t) => {
    for (let c = 0; c < sizes.customersPerTenant; c++) {
      const name = `${FIRST[(c + t) % FIRST.length]} ${LAST[(c * 5 + t) % LAST.length]}`;
      const id = `cus_${t}${String(c).padStart(2, '0')}`;
      customers.push({ tenant, id, name, email: `${name.split(' ')[0]!.toLowerCase()}.${id}@example.com`, plan: pick(PLANS) });
      const count = 2 + Math.floor(rand() * 3);
      for (let o = 0; o < count; o++) {
        orders.push({
          tenant,
          id: `ord_${t}${String(c).padStart(2, '0')}${o}`,
          customerId: id,
          item: pick(ITEMS),
          amountCents: 900 + Math.floor(rand() * 40_000),
          status: pick(STATUSES),
          placedOn: `2026-${String(9 + Math.floor(rand() * 3)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`,
        });
      }
    }
  });
  const sessions: PlannedSession[] = [];
  for (let index = 0; index < sizes.sessions; index++) {
    const tenant = tenants[index % tenants.length]!;
    const own = customers.filter((c) => c.tenant === tenant);
    // A few customers write in far more often than the others (quadratic skew).
    const customer = own[Math.floor(rand() * rand() * own.length)]!;
    const theirs = orders.filter((o) => o.tenant === tenant && o.customerId === customer.id);
    const first = pick(theirs);
    const second = theirs.find((o) => o !== first) ?? first;
    const lookup = (by: 'id' | 'email'): Call => ({ name: 'lookup_customer', input: { customer: by === 'id' ? customer.id : customer.email } });
    const listOrders: Call = { name: 'list_orders', input: { customerId: customer.id } };
    const getOrder = (order: Order): Call => ({ name: 'get_order', input: { orderId: order.id } });
    const kind = rand();
    const hello = `Hi, this is ${customer.name} (${customer.email}).`;
    let plan: Omit<PlannedSession, 'index' | 'tenant' | 'customer' | 'input'> & { text: string };
    if (kind < 0.35) {
      plan = {
        text: `Where is my order ${first.id}? And are you sure about its status? The tracking page says something else.`,
        turns: [[lookup('id')], [listOrders], [getOrder(first)], [getOrder(first)]],
        asksAbout: [first.id],
        listsOrders: true,
      };
    } else if (kind < 0.6) {
      plan = {
        text: `I have two questions: what is the status of ${first.id}, and of ${second.id}? Please double-check the first one.`,
        turns: [[lookup('email')], [getOrder(first)], [getOrder(second)], [getOrder(first)]],
        asksAbout: [first.id, second.id],
        listsOrders: false,
      };
    } else if (kind < 0.8) {
      plan = {
        text: `Please prepare a reply to me summarising my orders; I'll read it later. Also confirm the e-mail you have for me.`,
        turns: [[lookup('id')], [listOrders], [{ name: 'update_draft', input: { customerId: customer.id, body: `Summary of the orders of ${customer.name}.` } }], [lookup('id')]],
        asksAbout: [],
        listsOrders: true,
      };
    } else {
      plan = {
        text: `Quick one: has ${first.id} shipped yet? What else have I ordered?`,
        turns: [[getOrder(first), listOrders]],
        asksAbout: [first.id],
        listsOrders: true,
      };
    }
    const { text, ...rest } = plan;
    sessions.push({ index, tenant, customer, input: `${MARK} #${index} ${hello} ${text}`, ...rest });
  }
  return { runId: sizes.runId, tenants, customers, orders, sessions };
}

/** Inserts the workload's customers and orders, each tenant under its own scope. */
async function seedWorkload(db: SqlDatabase, workload: Workload): Promise<void> {
  for (const tenant of workload.tenants) {
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('keel.tenant', $1, true), set_config('keel.subjects', '', true)`, [tenant]);
      for (const c of workload.customers.filter((c) => c.tenant === tenant)) {
        await tx.query(`INSERT INTO customers (tenant, id, name, email, plan) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING`, [c.tenant, c.id, c.name, c.email, c.plan]);
      }
      for (const o of workload.orders.filter((o) => o.tenant === tenant)) {
        await tx.query(
          `INSERT INTO orders (tenant, id, customer_id, item, amount_cents, status, placed_on) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING`,
          [o.tenant, o.id, o.customerId, o.item, o.amountCents, o.status, o.placedOn],
        );
      }
    });
  }
}

/** Removes the workload's rows from a server database (as the owner). */
async function dropWorkload(db: SqlDatabase, workload: Workload): Promise<void> {
  for (const table of ['customers', 'orders', 'drafts', 'keel_tool_cache', 'keel_tool_cache_invalidations']) {
    await db.query(`DELETE FROM ${table} WHERE tenant = ANY ($1::text[])`, [workload.tenants]);
  }
}

// ---------------------------------------------------------------------------------------------
// The agent and the scripted model

/** A support handbook as long as real ones are: the stable prefix that prompt caching reads. */
const HANDBOOK = [
  'You are the customer-support agent of an online shop for vintage computing parts.',
  'Use the tools to look up the customer and their orders before you answer; never guess a fact you can look up.',
  'Refunds (process_payment), e-mails and deletions need a human approval: state the reason in your message.',
  'Answer briefly and concretely, naming order ids, amounts and statuses exactly as the tools returned them.',
  ...Array.from({ length: 48 }, (_, i) => {
    const topic = ['shipping delays', 'returns', 'refund eligibility', 'damaged parcels', 'address changes', 'plan upgrades', 'invoices', 'privacy requests'][i % 8];
    return `Policy ${i + 1} (${topic}): when a customer asks about ${topic}, check the order's status and date first; for orders in state ${STATUSES[i % STATUSES.length]} follow rule ${i + 1} of the handbook, quote the order id and the amount exactly, and never promise a date the carrier has not confirmed.`;
  }),
].join('\n');

/** The benchmark's support agent; its tools count their real executions per session. */
function benchAgent(db: SqlDatabase, executions: Map<string, number>): Agent {
  const counted = (tool: AnyTool): AnyTool => ({
    ...tool,
    run: (input: unknown, context: ToolContext) => {
      executions.set(context.sessionId, (executions.get(context.sessionId) ?? 0) + 1);
      return tool.run(input, context);
    },
  });
  const tools = [...createCrmTools(db), ...createEmailTools(db), ...createPaymentTools(db), ...createRecordsTools(db)].map(counted);
  return defineAgent({ name: AGENT, instructions: HANDBOOK, tools, model: FRONTIER, routing: { small: SMALL, frontier: FRONTIER } });
}

/** What the conversation has shown the model: every tool result's JSON, in order. */
function factsOf(ctx: TurnContext): unknown[] {
  const facts: unknown[] = [];
  for (const message of ctx.request.messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'tool_result' || typeof block.content !== 'string') continue;
      // Tool outputs may reach the model wrapped as data (the injection guardrail's markAsData).
      const text = DATA_WRAPPER.exec(block.content)?.[1] ?? block.content;
      try {
        facts.push(JSON.parse(text));
      } catch {
        // a notice ("Same result as tool call … above"): the facts are in the earlier result
      }
    }
  }
  return facts;
}

/** A tool output wrapped as data: `<<<KEEL_DATA_BEGIN …>>>`, the output, `<<<KEEL_DATA_END …>>>`. */
const DATA_WRAPPER = /^<<<KEEL_DATA_BEGIN[^\n]*>>>\n([\s\S]*)\n<<<KEEL_DATA_END[^\n]*>>>$/;

const usd = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/**
 * The scripted model of the workload: each turn's tool calls as planned, then a final answer
 * written only from what the conversation showed. It never looks at the model asked.
 */
function scenarioOf(sessions: readonly PlannedSession[], missing: string[]) {
  const byIndex = new Map(sessions.map((s) => [s.index, s]));
  return {
    name: 'cost-bench',
    match: MARK,
    turns: (ctx: TurnContext): ScriptedStep => {
      const index = Number(/#(\d+) /.exec(ctx.firstUserText)?.[1]);
      const plan = byIndex.get(index);
      if (!plan) return { error: { status: 400, message: `no planned session #${index}` } };
      if (ctx.turn < plan.turns.length) {
        const calls = plan.turns[ctx.turn]!;
        const say = ctx.turn === 0 ? 'Let me look that up for you.' : 'Let me check one more thing.';
        return { text: say, toolCalls: calls };
      }
      const facts = factsOf(ctx);
      const orders = new Map<string, Record<string, unknown>>();
      let customer: Record<string, unknown> | undefined;
      let listed: Array<Record<string, unknown>> | undefined;
      let drafted = false;
      for (const fact of facts) {
        if (Array.isArray(fact)) {
          listed = fact as Array<Record<string, unknown>>;
          for (const o of listed) orders.set(String(o.id), o);
        } else if (fact && typeof fact === 'object') {
          const f = fact as Record<string, unknown>;
          if ('email' in f) customer = f;
          else if ('item' in f) orders.set(String(f.id), f);
          else if (f.saved === true) drafted = true;
        }
      }
      const lines = [`Hello ${customer ? String(customer.name) : plan.customer.name}.`];
      const expected = [...plan.asksAbout.filter((id) => !orders.has(id)), ...(plan.listsOrders && !listed ? ['the order list'] : [])];
      if (expected.length > 0) missing.push(`#${index}: ${expected.join(', ')}`);
      for (const id of plan.asksAbout) {
        const o = orders.get(id);
        lines.push(o ? `Order ${id} (${String(o.item)}, ${usd(Number(o.amountCents))}, placed ${String(o.placedOn)}) is ${String(o.status)}.` : `I could not find order ${id}.`);
      }
      if (plan.listsOrders && listed) lines.push(`Your orders: ${listed.map((o) => `${String(o.id)} ${String(o.status)}`).join(', ')}.`);
      if (drafted) lines.push(`I saved a draft reply for you; we have ${customer ? String(customer.email) : 'no e-mail'} on file.`);
      return { text: lines.join(' ') };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The runs

interface RunOutput {
  summary: CostRunResult;
  results: SessionResult[];
}

/** Runs every session of the workload with the cost controls off or on, `concurrency` at a time. */
async function runWorkload(
  env: BenchEnvironment,
  db: SqlDatabase,
  workload: Workload,
  label: 'off' | 'on',
  concurrency: number,
  log: (line: string) => void,
): Promise<RunOutput> {
  /** Facts a final answer needed and the conversation did not show: the workload is broken if any. */
  const missing: string[] = [];
  const model = new ScriptedModelServer({ scenarios: [scenarioOf(workload.sessions, missing)] });
  await model.start();
  const executions = new Map<string, number>();
  const metrics = new KeelMetrics();
  const taskQueue = `bench-cost-${label}-${workload.runId}`;
  const worker = await createKeelWorker({
    connection: env.connection,
    taskQueue,
    agents: [benchAgent(db, executions)],
    store: env.store,
    database: db,
    metrics,
    monitor: false,
    model: { baseURL: model.url, apiKey: 'bench' },
    workflowBundle: { code: env.keelBundle.code },
    shutdownGraceTimeMs: 1000,
  });
  const client = await KeelClient.connect({ client: env.client, taskQueue });
  const controls = label === 'on' ? {} : { routing: false, promptCaching: false, toolResultCache: false };
  const results: SessionResult[] = new Array(workload.sessions.length);
  const ids: string[] = new Array(workload.sessions.length);
  log(`cost: ${workload.sessions.length} sessions with cost controls ${label.toUpperCase()}, ${concurrency} at a time`);
  const started = performance.now();
  try {
    await worker.runUntil(async () => {
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < workload.sessions.length; i = next++) {
          const plan = workload.sessions[i]!;
          const sessionId = `cost-${label}-${workload.runId}-${i}`;
          ids[i] = sessionId;
          const session = await client.startSession(
            { agent: AGENT, input: plan.input, scope: { tenant: plan.tenant, subjects: [plan.customer.id] }, approvers: ['role:support-lead'], ...controls },
            { sessionId },
          );
          results[i] = await session.result();
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, workload.sessions.length) }, lane));
    });
  } finally {
    await model.stop();
  }
  const wallMs = performance.now() - started;
  if (missing.length > 0) {
    throw new CostBenchWorkloadError(`with cost controls ${label}, ${missing.length} answers lacked facts their conversation should have shown: ${missing.slice(0, 10).join('; ')}`);
  }
  const n = workload.sessions.length;
  const sum = (f: (r: SessionResult) => number) => results.reduce((total, r) => total + f(r), 0) / n;
  const hits = async (level: 'session' | 'shared') =>
    (await metrics.toolCacheHits.get()).values.filter((v) => v.labels.level === level).reduce((total, v) => total + v.value, 0);
  const modelCallsByModel: Record<string, number> = {};
  let atFrontierPrices = 0;
  for (const { usage, body } of model.requests) {
    if (!usage) continue;
    modelCallsByModel[body.model] = (modelCallsByModel[body.model] ?? 0) + 1;
    atFrontierPrices += costOf(FRONTIER, {
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
      cacheReadTokens: usage.cache_read_input_tokens,
      cacheWrite5mTokens: usage.cache_creation.ephemeral_5m_input_tokens,
      cacheWrite1hTokens: usage.cache_creation.ephemeral_1h_input_tokens,
    });
  }
  const summary: CostRunResult = {
    label,
    sessions: n,
    wallMs,
    costUsdPerSession: sum((r) => r.usage.costUsd),
    billedInputTokensPerSession: sum((r) => r.usage.inputTokens + r.usage.cacheWriteTokens),
    cacheWriteTokensPerSession: sum((r) => r.usage.cacheWriteTokens),
    cacheReadTokensPerSession: sum((r) => r.usage.cacheReadTokens),
    outputTokensPerSession: sum((r) => r.usage.outputTokens),
    modelCallsPerSession: sum((r) => r.usage.modelCalls),
    toolCallsPerSession: sum((r) => r.usage.toolCalls),
    toolExecutionsPerSession: ids.reduce((total, id) => total + (executions.get(id) ?? 0), 0) / n,
    cacheHits: { session: await hits('session'), shared: await hits('shared') },
    modelCallsByModel,
    costUsdPerSessionAtFrontierPrices: atFrontierPrices / n,
  };
  log(`cost: controls ${label.toUpperCase()} done in ${(wallMs / 1000).toFixed(1)} s, $${summary.costUsdPerSession.toFixed(5)} per session`);
  return { summary, results };
}

/** Throws {@link CostBenchMismatchError} naming every session whose outcome or output differs. */
function compareOutcomes(workload: Workload, off: readonly SessionResult[], on: readonly SessionResult[]): void {
  const problems: string[] = [];
  workload.sessions.forEach((plan, i) => {
    const a = off[i];
    const b = on[i];
    if (!a || !b) problems.push(`#${i}: missing result (off ${a ? 'ok' : 'missing'}, on ${b ? 'ok' : 'missing'})`);
    else if (a.outcome !== 'completed' || b.outcome !== 'completed') problems.push(`#${i}: outcome off=${a.outcome}${a.error ? ` (${a.error.message})` : ''}, on=${b.outcome}${b.error ? ` (${b.error.message})` : ''}`);
    else if (a.output !== b.output) problems.push(`#${i} (${plan.tenant}/${plan.customer.id}): output differs\n    off: ${a.output}\n    on:  ${b.output}`);
  });
  if (problems.length > 0) {
    throw new CostBenchMismatchError(`${problems.length} of ${workload.sessions.length} sessions differ between cost controls off and on:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Output

/** The benchmark's result as a text table, controls off beside on. */
export function formatCostBenchmark(result: CostBenchResult): string {
  const row = (name: string, f: (r: CostRunResult) => string): string[] => [name, f(result.off), f(result.on), change(f === money ? 'cost' : name)];
  const change = (name: string): string => {
    const pick: Record<string, (r: CostRunResult) => number> = {
      cost: (r) => r.costUsdPerSession,
      'billed input tokens (input + cache write)': (r) => r.billedInputTokensPerSession,
      'output tokens': (r) => r.outputTokensPerSession,
      'tool executions': (r) => r.toolExecutionsPerSession,
      'model calls': (r) => r.modelCallsPerSession,
    };
    const f = pick[name];
    if (!f) return '';
    const before = f(result.off);
    return before === 0 ? '' : `${formatNumber((f(result.on) / before - 1) * 100, 1)}%`;
  };
  const money = (r: CostRunResult) => `$${r.costUsdPerSession.toFixed(5)}`;
  const models = (r: CostRunResult) =>
    Object.entries(r.modelCallsByModel)
      .sort()
      .map(([m, c]) => `${m} ${c}`)
      .join(', ');
  const table = formatTable(
    [{ header: 'per session', align: 'left' }, { header: 'controls off' }, { header: 'controls on' }, { header: 'change' }],
    [
      row('cost (USD)', money),
      row('billed input tokens (input + cache write)', (r) => formatNumber(r.billedInputTokensPerSession, 0)),
      row('  of which cache write', (r) => formatNumber(r.cacheWriteTokensPerSession, 0)),
      row('cache-read tokens', (r) => formatNumber(r.cacheReadTokensPerSession, 0)),
      row('output tokens', (r) => formatNumber(r.outputTokensPerSession, 0)),
      row('model calls', (r) => formatNumber(r.modelCallsPerSession, 2)),
      row('tool calls asked', (r) => formatNumber(r.toolCallsPerSession, 2)),
      row('tool executions', (r) => formatNumber(r.toolExecutionsPerSession, 2)),
      row('cache hits, session / shared (run total)', (r) => `${r.cacheHits.session} / ${r.cacheHits.shared}`),
      row('wall time of the run (s)', (r) => formatNumber(r.wallMs / 1000, 1)),
    ],
  );
  return [
    `Cost controls: ${result.sessions} support sessions over ${result.tenants} tenants (${result.customers} customers), scripted model over HTTP;`,
    `off = ${FRONTIER} for every step, no prompt caching, no tool-result cache; on = routing (${SMALL} / ${FRONTIER}), prompt caching, session + shared tool-result caches`,
    table,
    `model calls by model: off ${models(result.off)}; on ${models(result.on)}`,
    `on, its tokens all priced at ${FRONTIER}: $${result.on.costUsdPerSessionAtFrontierPrices.toFixed(5)} per session ` +
      `(${formatNumber((1 - result.on.costUsdPerSessionAtFrontierPrices / result.off.costUsdPerSession) * 100, 1)}% below off: the caches' share; routing does the rest)`,
    `every session: same outcome and same final output in both runs`,
    `cost per session ${formatNumber(result.costReduction * 100, 1)}% lower with the controls on (target ≥ ${formatNumber(result.target * 100, 0)}%: ${result.targetMet ? 'met' : 'NOT MET'})`,
  ].join('\n');
}

if (require.main === module) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runCostBenchmark({ quick: process.argv.includes('--quick') })
    .then((result) => {
      console.log(formatCostBenchmark(result));
      console.log(`BENCH_JSON ${JSON.stringify({ cost: result })}`);
      if (!result.targetMet) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
