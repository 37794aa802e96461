import { createHash } from 'node:crypto';
import { z } from 'zod';
import { checkBreaker, createBreaker, grantExtraBudget, recordPause, recordTokens, recordToolCall } from '../core/breaker';
import { defineAgent, AgentDefinitionError } from '../core/agent';
import { canonicalJson, intentKey, sha256Hex } from '../core/intent';
import { DEFAULT_LIMITS } from '../core/limits';
import { costOf } from '../core/pricing';
import { routeStep, RoutingPolicySchema } from '../core/routing';
import { defineTool, ToolDefinitionError } from '../core/tool';

describe('breaker', () => {
  const limits = { ...DEFAULT_LIMITS, maxToolCalls: 2, maxTokens: 100, maxElapsedMs: 1000, maxConsecutiveIdenticalErrors: 2 };

  test('each limit trips on its own', () => {
    const b = createBreaker(limits, 0);
    expect(checkBreaker(b, 'tool', 10)).toBeNull();
    recordToolCall(b, null);
    recordToolCall(b, null);
    expect(checkBreaker(b, 'model', 10)).toBeNull();
    expect(checkBreaker(b, 'tool', 10)?.limit).toBe('maxToolCalls');

    const t = createBreaker(limits, 0);
    recordTokens(t, 100);
    expect(checkBreaker(t, 'model', 10)?.limit).toBe('maxTokens');

    const e = createBreaker(limits, 0);
    expect(checkBreaker(e, 'model', 999)).toBeNull();
    expect(checkBreaker(e, 'model', 1000)?.limit).toBe('maxElapsedMs');
    recordPause(e, 500);
    expect(checkBreaker(e, 'model', 1400)).toBeNull();
  });

  test('only identical consecutive errors count, and a success clears them', () => {
    const b = createBreaker({ ...limits, maxToolCalls: 100 }, 0);
    const err = { tool: 'crm', kind: 'tool_error', message: 'down' };
    recordToolCall(b, err);
    recordToolCall(b, { ...err, message: 'other' });
    recordToolCall(b, err);
    expect(checkBreaker(b, 'model', 0)).toBeNull();
    recordToolCall(b, err);
    expect(checkBreaker(b, 'model', 0)).toMatchObject({ limit: 'maxConsecutiveIdenticalErrors' });
    recordToolCall(b, null);
    expect(checkBreaker(b, 'model', 0)).toBeNull();
  });

  test('extra budget raises the tripped limit from what is used and clears the error run', () => {
    const b = createBreaker(limits, 0);
    recordToolCall(b, null);
    recordToolCall(b, null);
    grantExtraBudget(b, { toolCalls: 3, elapsedMs: 500 }, 1200);
    expect(b.limits.maxToolCalls).toBe(5);
    expect(b.limits.maxElapsedMs).toBe(1700);
    expect(checkBreaker(b, 'tool', 1200)).toBeNull();
  });
});

describe('intent keys', () => {
  test('sha256 matches node:crypto', () => {
    for (const text of ['', 'abc', 'é漢字🙂'.repeat(40), 'x'.repeat(1000)]) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });

  test('the same intent gives the same key whatever the key order; another session or input does not', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":1,"f":2}]},"b":1}');
    const key = intentKey('s1', 'send_email', { to: 'a@b.c', body: 'hi' });
    expect(intentKey('s1', 'send_email', { body: 'hi', to: 'a@b.c' })).toBe(key);
    expect(intentKey('s2', 'send_email', { to: 'a@b.c', body: 'hi' })).not.toBe(key);
    expect(intentKey('s1', 'send_email', { to: 'a@b.c', body: 'hello' })).not.toBe(key);
  });
});

describe('definitions', () => {
  const input = z.object({ id: z.string() });
  const run = async () => 'ok';

  test('a tool with a bad name, tier or schema is refused with its name', () => {
    expect(() => defineTool({ name: 'bad name', description: 'd', tier: 'read', input, run })).toThrow(ToolDefinitionError);
    expect(() => defineTool({ name: 'x', description: 'd', tier: 'admin' as 'read', input, run })).toThrow(/tool "x": tier/);
    expect(() => defineTool({ name: 'y', description: 'd', tier: 'read', input: z.string() as never, run })).toThrow(/tool "y".*object/);
    expect(() => defineTool({ name: 'z', description: 'd', tier: 'read', input: z.object({ f: z.custom<string>() }), run })).toThrow(/tool "z"/);
  });

  test('an agent with a tool registered twice is refused', () => {
    const tool = defineTool({ name: 'lookup', description: 'd', tier: 'read', input, run });
    expect(() => defineAgent({ name: 'a', instructions: 'i', tools: [tool, tool] })).toThrow(AgentDefinitionError);
  });

  test('cost follows the price table', () => {
    expect(costOf('claude-sonnet-5-5', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(12);
    expect(costOf('claude-opus-5-5-20260901', { inputTokens: 1_000_000, outputTokens: 0 })).toBe(4);
  });
});

describe('model routing policy', () => {
  const policy = RoutingPolicySchema.parse({ small: 'small-model', frontier: 'big-model' });
  test('simple steps go small, planning, writes, large results and failures go to the frontier model', () => {
    expect(routeStep(policy, { turn: 0, follows: 'user_input', failuresInARow: 0 })).toMatchObject({ model: 'big-model', tier: 'frontier' });
    expect(routeStep({ ...policy, firstTurn: 'small' }, { turn: 0, follows: 'user_input', failuresInARow: 0 })).toMatchObject({ model: 'small-model' });
    expect(routeStep(policy, { turn: 1, follows: 'tool_results', toolTiers: ['read', 'read'], resultBytes: 900, failuresInARow: 0 }).tier).toBe('small');
    expect(routeStep(policy, { turn: 1, follows: 'tool_results', toolTiers: ['read', 'write_reversible'], resultBytes: 10, failuresInARow: 0 }).reason).toBe('follows a write: decides what comes next');
    expect(routeStep(policy, { turn: 1, follows: 'tool_results', toolTiers: ['read'], resultBytes: 20_000, failuresInARow: 0 }).tier).toBe('frontier');
    expect(routeStep(policy, { turn: 2, follows: 'tool_results', toolTiers: ['read'], resultBytes: 10, failuresInARow: 1 }).reason).toBe('moved up: 1 failure in a row');
    expect(routeStep({ ...policy, moveUpAfterFailures: 2 }, { turn: 2, follows: 'tool_results', toolTiers: ['read'], resultBytes: 10, failuresInARow: 1 }).tier).toBe('small');
    expect(routeStep(policy, { turn: 3, follows: 'repair', failuresInARow: 0 }).tier).toBe('frontier');
  });
  test('an invalid policy is refused where the agent is defined, naming the field', () => {
    expect(() => defineAgent({ name: 'a', instructions: 'x', tools: [], routing: { small: '', frontier: 'b' } })).toThrow(/agent "a": routing.small/);
    expect(defineAgent({ name: 'a', instructions: 'x', tools: [], routing: { small: 's', frontier: 'f' } }).routing).toMatchObject({ firstTurn: 'frontier', moveUpAfterFailures: 1 });
  });
});
