import { createServer } from 'node:http';
import type { ApprovalQueue, WaitingRequest } from '../inbox/approval-queue';
import { WebhookNotifier } from '../inbox/webhook-notifier';

/** A queue whose listing answers only when the test says so (a slow visibility query). */
function heldQueue(): { queue: ApprovalQueue; answer: (requests: WaitingRequest[]) => void; asked: Promise<void> } {
  let answer!: (requests: WaitingRequest[]) => void;
  let wasAsked!: () => void;
  const asked = new Promise<void>((resolve) => (wasAsked = resolve));
  const listing = new Promise<WaitingRequest[]>((resolve) => (answer = resolve));
  const queue = {
    waiting: async () => {
      wasAsked();
      return listing;
    },
    fate: async () => ({ kind: 'session_ended', state: 'completed' }),
  } as unknown as ApprovalQueue;
  return { queue, answer, asked };
}

test('stopping the webhook notifier does not wait for a pass in flight, and that pass sends nothing after it', async () => {
  const posts: string[] = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      posts.push(body);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const { port } = receiver.address() as { port: number };
  const lines: string[] = [];
  try {
    const { queue, answer, asked } = heldQueue();
    const notifier = new WebhookNotifier(queue, { url: `http://127.0.0.1:${port}/hook`, inboxUrl: 'http://inbox.test', pollIntervalMs: 60_000, log: (line) => lines.push(line) });
    notifier.start();
    await asked;
    notifier.stop(); // returns while the listing is still unanswered
    const request = { sessionId: 'session-1', requestId: 'apr-1-refund', tool: 'refund', input: {}, digest: 'd', reason: 'r', requestedAtMs: 0, agent: 'support', tenant: 'acme' } as unknown as WaitingRequest;
    answer([request]);
    // The pass in flight resumes; one more pass, awaited, would have posted its request by its end.
    await notifier.poll();
    await fetch(`http://127.0.0.1:${port}/probe`, { method: 'POST', body: 'probe' });
    expect(posts).toEqual(['probe']);
    expect(lines).toEqual([]);
  } finally {
    await new Promise((done) => receiver.close(done));
  }
});
