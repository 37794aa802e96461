import type { ApprovalQueue, RequestFate, WaitingRequest } from './approval-queue';
import { requestPath } from './pages';

/**
 * Tells a chat channel in time (`KEEL_INBOX_WEBHOOK_URL`): a Slack-compatible message
 * (`{ text, blocks }`, as Slack's incoming webhooks and Mattermost take it) when a request starts
 * waiting, with a link to it in the inbox, when one of several approvers has approved, and when it
 * is decided or times out. The inbox polls visibility on an interval and remembers, in memory, what
 * it has announced: run one inbox instance with the webhook set (others without it), or every
 * instance announces; a restarted instance announces the requests that still wait once more.
 */

/** A Slack-compatible incoming-webhook message. */
export interface WebhookMessage {
  text: string;
  blocks?: Array<Record<string, unknown>>;
}

export interface WebhookNotifierOptions {
  url: string;
  /** The inbox's public address, for links in the messages. */
  inboxUrl: string;
  /** @default 10000 */
  pollIntervalMs?: number;
  /** @default 5000 */
  timeoutMs?: number;
  /** Requests remembered at most (the oldest are forgotten first). @default 10000 */
  maxRemembered?: number;
  /** Where failures are told. @default console.warn */
  log?: (line: string) => void;
}

interface Announced {
  request: WaitingRequest;
  approvals: number;
}

export class WebhookNotifier {
  private readonly announced = new Map<string, Announced>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly queue: ApprovalQueue,
    private readonly options: WebhookNotifierOptions,
  ) {}

  /** Polls now and then every `pollIntervalMs` until {@link stop}. */
  start(): void {
    const tick = () => {
      void this.poll()
        .catch((error: unknown) => {
          if (!this.stopped) this.log(`inbox webhook: poll failed: ${(error as Error).message}`);
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollIntervalMs ?? 10_000);
        });
    };
    tick();
  }

  /**
   * Stops polling at once. A pass in flight is not waited for (its queries can take up to the
   * inbox's query timeout each): it sends nothing more and its failures are not told.
   */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One pass: announces new requests, quorum progress, and the end of announced ones. */
  async poll(): Promise<void> {
    const waiting = await this.queue.waiting('*');
    const now = new Map(waiting.map((r) => [keyOf(r), r]));
    for (const [key, request] of now) {
      if (this.stopped) return;
      const known = this.announced.get(key);
      const approvals = request.approvals?.by.length ?? 0;
      if (!known) {
        if (await this.send(waitingMessage(request, this.link(request)))) this.remember(key, { request, approvals });
      } else if (approvals > known.approvals) {
        if (await this.send(progressMessage(request, this.link(request)))) known.approvals = approvals;
      }
    }
    for (const [key, { request }] of [...this.announced]) {
      if (now.has(key)) continue;
      if (this.stopped) return;
      const fate = await this.queue.fate(request.sessionId, request.requestId, '*').catch(() => null);
      if (!fate || fate.kind === 'waiting') continue; // visibility lags, or the session could not be asked: next time
      if (this.stopped) return;
      if (await this.send(endMessage(request, fate))) this.announced.delete(key);
    }
  }

  private link(request: WaitingRequest): string {
    return new URL(requestPath(request.sessionId, request.requestId), this.options.inboxUrl).toString();
  }

  private remember(key: string, entry: Announced): void {
    this.announced.set(key, entry);
    const max = this.options.maxRemembered ?? 10_000;
    while (this.announced.size > max) this.announced.delete(this.announced.keys().next().value!);
  }

  private async send(message: WebhookMessage): Promise<boolean> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      return true;
    } catch (error) {
      this.log(`inbox webhook: ${new URL(this.options.url).origin} ${(error as Error).message}; will try again`);
      return false;
    }
  }

  private log(line: string): void {
    (this.options.log ?? console.warn)(line);
  }
}

const keyOf = (r: WaitingRequest) => `${r.sessionId}\u0000${r.requestId}`;

/** Text for Slack's mrkdwn: `&`, `<` and `>` escaped (so no text can make a link or a mention), bounded. */
export function mrkdwn(text: string, max = 300): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

const who = (r: WaitingRequest) => `${mrkdwn(r.agent, 100)} · tenant ${mrkdwn(r.tenant, 100)} · session ${mrkdwn(r.sessionId, 200)}`;

function waitingMessage(r: WaitingRequest, link: string): WebhookMessage {
  const quorum = r.approvals ? ` (needs ${r.approvals.required} approvers)` : '';
  const text = `Approval waiting: ${mrkdwn(r.tool, 64)}${quorum} — ${who(r)}. Times out ${new Date(r.requestedAtMs + r.timeoutMs).toISOString()}. Decide: ${link}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*Approval waiting:* \`${mrkdwn(r.tool, 64)}\`${quorum}\n${who(r)}\nTimes out ${new Date(r.requestedAtMs + r.timeoutMs).toISOString()}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `_The agent's reason (the model's own words):_ ${mrkdwn(r.reason, 300)}` } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in the inbox' }, url: link }] },
    ],
  };
}

function progressMessage(r: WaitingRequest, link: string): WebhookMessage {
  const q = r.approvals!;
  const text = `Approved by ${q.by.map((b) => mrkdwn(b, 100)).join(', ')} (${q.by.length} of ${q.required}): ${mrkdwn(r.tool, 64)} — ${who(r)} waits for another approver. ${link}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

function endMessage(r: WaitingRequest, fate: Exclude<RequestFate, { kind: 'waiting' }>): WebhookMessage {
  const what = `${mrkdwn(r.tool, 64)} (request ${mrkdwn(r.requestId, 200)}) — ${who(r)}`;
  const text =
    fate.kind === 'approved'
      ? `Approved by ${mrkdwn(fate.by, 256)}: ${what}`
      : fate.kind === 'rejected'
        ? `Rejected by ${mrkdwn(fate.by, 256)}: ${what}`
        : fate.kind === 'timed_out'
          ? `Timed out (nobody decided in time; counts as a rejection): ${what}`
          : fate.kind === 're_proposed'
            ? `No longer waits (proposed again with another input as ${mrkdwn(fate.request.requestId, 200)}): ${what}`
            : fate.kind === 'session_ended'
              ? `No longer waits (the session ended: ${mrkdwn(fate.state, 64)}): ${what}`
              : `No longer waits: ${what}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
