import type { RequestFate, WaitingRequest } from './approval-queue';
import { bounded, html, humanDuration, readableJson, utcTime, type SafeHtml } from './html';
import type { SignedInUser } from './web-session';

/** How much of attacker-controlled text a page shows. */
export const RENDER_LIMITS = {
  /** Indented JSON of one request's input. */
  inputChars: 20_000,
  /** The agent's reason (sessions keep at most 1,000 characters of it). */
  reasonChars: 2_000,
  /** Requests on one page. */
  requestsPerPage: 100,
  /** Distinct values offered in one filter. */
  filterOptions: 200,
  /** Any other name (session id, agent, tenant, tool, approver). */
  nameChars: 256,
} as const;

/** What every page needs to draw its frame. */
export interface PageContext {
  user: SignedInUser | null;
  /** The signed-in person's CSRF token, repeated by every form. */
  csrf: string;
  /** Base of links to sessions in the Temporal UI, e.g. `http://127.0.0.1:8233/namespaces/default`. */
  temporalUi: string;
  nowMs: number;
}

const name = (value: string) => bounded(value, RENDER_LIMITS.nameChars).text;

/** The page frame: title, who is signed in, sign-out. */
export function layout(ctx: Pick<PageContext, 'user' | 'csrf'>, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Keel approval inbox</title>
<link rel="stylesheet" href="/inbox.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Keel · approval inbox</a>
  ${ctx.user
    ? html`<form class="signout" method="post" action="/logout">
    <span class="who">Signed in as <strong>${name(ctx.user.name)}</strong>${ctx.user.name !== ctx.user.identity ? html` (${name(ctx.user.identity)})` : ''} · tenants ${ctx.user.tenants.join(', ')}${ctx.user.roles.length ? html` · roles ${ctx.user.roles.join(', ')}` : ''}</span>
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <button type="submit">Sign out</button>
  </form>`
    : ''}
</header>
<main>
${body}
</main>
</body>
</html>
`.text;
}

/** The sign-in page: a password form, and single sign-on when it is configured. */
export function loginPage(options: { csrf: string; error?: string; oidcLabel?: string; returnTo?: string }): string {
  return layout(
    { user: null, csrf: options.csrf },
    'Sign in',
    html`<section class="login">
  <h1>Sign in</h1>
  ${options.error ? html`<p class="notice refused" role="alert">${options.error}</p>` : ''}
  ${options.oidcLabel ? html`<p><a class="button" href="/auth/oidc?returnTo=${encodeURIComponent(options.returnTo ?? '/')}">Sign in with ${options.oidcLabel}</a></p>` : ''}
  <form method="post" action="/login">
    <input type="hidden" name="_csrf" value="${options.csrf}">
    <input type="hidden" name="returnTo" value="${options.returnTo ?? '/'}">
    <label>Identity <input name="identity" autocomplete="username" required maxlength="256"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
    <button type="submit">Sign in</button>
  </form>
</section>`,
  );
}

/** Filters and order of the list, as the query string gives them. */
export interface ListFilter {
  tenant?: string;
  agent?: string;
  tool?: string;
  order: 'newest' | 'oldest';
}

/** The list of requests waiting for the signed-in person. */
export function listPage(ctx: PageContext, all: WaitingRequest[], filter: ListFilter): string {
  const matching = all
    .filter((r) => (!filter.tenant || r.tenant === filter.tenant) && (!filter.agent || r.agent === filter.agent) && (!filter.tool || r.tool === filter.tool))
    .sort((a, b) => (filter.order === 'oldest' ? a.requestedAtMs - b.requestedAtMs : b.requestedAtMs - a.requestedAtMs));
  const shown = matching.slice(0, RENDER_LIMITS.requestsPerPage);
  const options = (values: string[], selected: string | undefined) =>
    [...new Set(values)]
      .sort()
      .slice(0, RENDER_LIMITS.filterOptions)
      .map((v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${name(v)}</option>`);
  const body = html`<h1>Waiting for you <span class="count">${matching.length}</span></h1>
<form class="filters" method="get" action="/">
  <label>Tenant <select name="tenant"><option value="">all</option>${options(all.map((r) => r.tenant), filter.tenant)}</select></label>
  <label>Agent <select name="agent"><option value="">all</option>${options(all.map((r) => r.agent), filter.agent)}</select></label>
  <label>Tool <select name="tool"><option value="">all</option>${options(all.map((r) => r.tool), filter.tool)}</select></label>
  <label>Order <select name="order"><option value="newest"${filter.order === 'newest' ? html` selected` : ''}>newest first</option><option value="oldest"${filter.order === 'oldest' ? html` selected` : ''}>oldest first</option></select></label>
  <button type="submit">Show</button>
</form>
${shown.length === 0 ? html`<p class="empty">Nothing waits for you${filter.tenant || filter.agent || filter.tool ? ' with these filters' : ''}.</p>` : ''}
${shown.map((r) => requestCard(ctx, r, { link: true }))}
${matching.length > shown.length ? html`<p class="more">… and ${matching.length - shown.length} more: narrow the filter.</p>` : ''}`;
  return layout(ctx, 'Waiting for you', body);
}

/** Link to a request's own page. */
export function requestPath(sessionId: string, requestId: string): string {
  return `/request?session=${encodeURIComponent(sessionId)}&request=${encodeURIComponent(requestId)}`;
}

/** Link to a session in the Temporal UI. */
export function temporalUiLink(temporalUi: string, sessionId: string): string {
  return `${temporalUi}/workflows/${encodeURIComponent(sessionId)}`;
}

/** One request: what would run, why the model says so, how long it waited, and the decision form. */
export function requestCard(ctx: PageContext, r: WaitingRequest, options: { link: boolean }): SafeHtml {
  const input = readableJson(r.input, RENDER_LIMITS.inputChars);
  const reason = bounded(r.reason, RENDER_LIMITS.reasonChars);
  const timesOutAt = r.requestedAtMs + r.timeoutMs;
  const quorum = r.approvals;
  const mine = quorum?.by.includes(ctx.user?.identity ?? '') ?? false;
  return html`<article class="request" data-session="${r.sessionId}" data-request="${r.requestId}">
  <header>
    <h2>${options.link ? html`<a href="${requestPath(r.sessionId, r.requestId)}">${name(r.tool)}</a>` : name(r.tool)}</h2>
    ${quorum ? html`<span class="quorum">${quorum.by.length} of ${quorum.required} approvals${quorum.by.length ? html` (${quorum.by.map(name).join(', ')})` : ''}</span>` : ''}
  </header>
  <dl>
    <dt>Agent</dt><dd>${name(r.agent)}</dd>
    <dt>Tenant</dt><dd>${name(r.tenant)}</dd>
    <dt>Session</dt><dd><a href="${temporalUiLink(ctx.temporalUi, r.sessionId)}" rel="noreferrer noopener" target="_blank">${name(r.sessionId)}</a> (Temporal UI)</dd>
    <dt>Request</dt><dd><code>${name(r.requestId)}</code></dd>
    <dt>Waiting</dt><dd>${humanDuration(ctx.nowMs - r.requestedAtMs)} (since ${utcTime(r.requestedAtMs)})</dd>
    <dt>Times out</dt><dd>${timesOutAt > ctx.nowMs ? `in ${humanDuration(timesOutAt - ctx.nowMs)}` : 'now'} (${utcTime(timesOutAt)}): then it counts as a rejection</dd>
    <dt>Input digest</dt><dd><code class="digest">${r.digest}</code> (SHA-256; your decision is bound to it)</dd>
  </dl>
  <h3>Input, validated against the tool's schema</h3>
  <pre class="input">${input.text}${input.omitted ? `\n… ${input.omitted} more characters not shown` : ''}</pre>
  <section class="reason">
    <h3>The agent's reason — the model's own words, not verified</h3>
    <blockquote>${reason.text}${reason.omitted ? ` … (${reason.omitted} more characters)` : ''}</blockquote>
  </section>
  <form class="decide" method="post" action="/decide">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <input type="hidden" name="session" value="${r.sessionId}">
    <input type="hidden" name="request" value="${r.requestId}">
    <input type="hidden" name="digest" value="${r.digest}">
    <label>Note (for an approval) or reason (required to reject) <textarea name="note" maxlength="4096" rows="2"></textarea></label>
    ${mine ? html`<p class="notice">You approved this; it waits for another approver.</p>` : html`<button type="submit" name="decision" value="approve" class="approve">Approve</button>`}
    <button type="submit" name="decision" value="reject" class="reject">Reject</button>
  </form>
</article>`;
}

/** A request's own page: the request while it waits, else what became of it. */
export function requestPage(ctx: PageContext, fate: RequestFate, ids: { sessionId: string; requestId: string }): string {
  if (fate.kind === 'waiting') return layout(ctx, fate.request.tool, html`<p><a href="/">← all requests</a></p>${requestCard(ctx, fate.request, { link: false })}`);
  return layout(ctx, 'No longer waiting', html`<p><a href="/">← all requests</a></p>
<section class="notice stale" role="status">
  <h1>Request ${name(ids.requestId)} no longer waits</h1>
  <p>${fateSentence(fate)}</p>
  ${successorLink(fate)}
</section>`);
}

/** The request that replaced this one, when the model proposed the same tool again with another input. */
function successorOf(fate: RequestFate): WaitingRequest | undefined {
  return fate.kind === 're_proposed' ? fate.request : 'again' in fate ? fate.again : undefined;
}

/** What became of a request, in a sentence or two. */
export function fateSentence(fate: RequestFate): string {
  const again = fate.kind !== 're_proposed' ? successorOf(fate) : undefined;
  const then = again ? ` The agent has since proposed ${name(again.tool)} again with another input (request ${name(again.requestId)}, digest ${again.digest.slice(0, 12)}…): a decision on the old input does not apply to it.` : '';
  return fateText(fate) + then;
}

function fateText(fate: RequestFate): string {
  switch (fate.kind) {
    case 'waiting':
      return 'It still waits for a decision.';
    case 'approved':
      return `It was already approved by ${name(fate.by)} (${utcTime(fate.atMs)}).`;
    case 'rejected':
      return `It was already rejected by ${name(fate.by)} (${utcTime(fate.atMs)})${fate.note ? `: ${bounded(fate.note, 500).text}` : ''}.`;
    case 'timed_out':
      return `Nobody decided in time: it timed out (${utcTime(fate.atMs)}) and counts as a rejection.`;
    case 're_proposed':
      return `The agent proposed ${name(fate.request.tool)} again with another input (request ${name(fate.request.requestId)}, digest ${fate.request.digest.slice(0, 12)}…): a decision on the old input does not apply to it.`;
    case 'session_ended':
      return `The session has ended (${name(fate.state)}).`;
    case 'unknown':
      return 'There is no such request waiting for you.';
  }
}

/** What the inbox says after a decision was sent: accepted, or refused with the session's reason. */
export function decisionPage(
  ctx: PageContext,
  outcome: { accepted: true; decision: 'approve' | 'reject'; requestId: string; sessionId: string; quorum?: string } | { accepted: false; reason: string; fate?: RequestFate; requestId: string; sessionId: string },
): string {
  if (outcome.accepted) {
    const done = outcome.decision === 'approve' ? (outcome.quorum && !quorumComplete(outcome.quorum) ? `Approval recorded (${outcome.quorum}): the call waits for another approver` : `Approved${outcome.quorum ? ` (${outcome.quorum})` : ''}: the call runs`) : 'Rejected: the agent is told your reason';
    return layout(ctx, 'Decision accepted', html`<section class="notice accepted" role="status">
  <h1>Accepted</h1>
  <p>${done}. Request <code>${name(outcome.requestId)}</code> of session <a href="${temporalUiLink(ctx.temporalUi, outcome.sessionId)}" rel="noreferrer noopener" target="_blank">${name(outcome.sessionId)}</a>; signed for ${name(ctx.user?.identity ?? '')}.</p>
</section>
<p><a href="/">← back to the requests waiting for you</a></p>`);
  }
  return layout(ctx, 'Decision refused', html`<section class="notice refused" role="alert">
  <h1>Your decision was not applied</h1>
  <p class="reason-refused">Refused: ${bounded(outcome.reason, 600).text}</p>
  ${outcome.fate && outcome.fate.kind !== 'waiting' && outcome.fate.kind !== 'unknown' ? html`<p>${fateSentence(outcome.fate)}</p>` : ''}
  ${outcome.fate ? successorLink(outcome.fate) : ''}
</section>
<p><a href="/">← back to the requests waiting for you</a></p>`);
}

function successorLink(fate: RequestFate): SafeHtml | '' {
  const next = successorOf(fate);
  return next ? html`<p><a href="${requestPath(next.sessionId, next.requestId)}">See the new request ${name(next.requestId)}</a> and check its input before deciding.</p>` : '';
}

function quorumComplete(quorum: string): boolean {
  const [count, of] = quorum.split(' of ');
  return count === of;
}

/** A plain page for errors (not signed in, bad form, forbidden). */
export function messagePage(ctx: Pick<PageContext, 'user' | 'csrf'>, title: string, message: string, link?: { href: string; text: string }): string {
  return layout(ctx, title, html`<section class="notice refused" role="alert"><h1>${title}</h1><p>${message}</p>${link ? html`<p><a href="${link.href}">${link.text}</a></p>` : ''}</section>`);
}

/** The inbox's style sheet (served from /inbox.css; pages carry no inline style or script). */
export const INBOX_CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c1e21; background: #f5f6f8; }
body { margin: 0; }
.top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: .6rem 1.2rem; background: #17324d; color: #fff; }
.top a.brand { color: #fff; font-weight: 600; text-decoration: none; }
.signout { display: flex; gap: .8rem; align-items: center; font-size: .9rem; }
.signout button { color: #17324d; padding: .2rem .8rem; }
main { max-width: 62rem; margin: 1.2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; }
h1 .count { background: #17324d; color: #fff; border-radius: 1rem; padding: 0 .6rem; font-size: 1rem; vertical-align: middle; }
.filters { display: flex; flex-wrap: wrap; gap: .8rem; align-items: end; margin-bottom: 1rem; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; }
.request { background: #fff; border: 1px solid #d5d9de; border-radius: .5rem; padding: 1rem 1.2rem; margin-bottom: 1rem; }
.request header { display: flex; justify-content: space-between; align-items: baseline; }
.request h2 { margin: 0; font-size: 1.2rem; font-family: ui-monospace, monospace; }
.quorum { background: #fff4d6; border: 1px solid #e0b84a; border-radius: .3rem; padding: .1rem .5rem; font-size: .9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; font-size: .9rem; }
dt { color: #5b6470; }
dd { margin: 0; overflow-wrap: anywhere; }
code.digest { font-size: .8rem; }
h3 { font-size: .95rem; margin: .8rem 0 .3rem; }
pre.input { background: #f0f2f5; border: 1px solid #d5d9de; border-radius: .3rem; padding: .6rem; max-height: 24rem; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.reason h3 { color: #8a5a00; }
.reason blockquote { margin: 0; padding: .4rem .8rem; border-left: 4px solid #e0b84a; background: #fffaf0; font-style: italic; white-space: pre-wrap; overflow-wrap: anywhere; }
form.decide { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-top: .8rem; }
form.decide label { flex: 1 1 100%; display: flex; flex-direction: column; font-size: .85rem; }
button, a.button { font: inherit; padding: .4rem 1rem; border-radius: .3rem; border: 1px solid #8a949e; background: #fff; cursor: pointer; color: inherit; text-decoration: none; }
button.approve { background: #1f7a3a; border-color: #1f7a3a; color: #fff; }
button.reject { background: #fff; border-color: #b3261e; color: #b3261e; }
.notice { border-radius: .5rem; padding: .8rem 1rem; background: #fff; border: 1px solid #d5d9de; }
.notice.refused { border-color: #b3261e; background: #fdf0ef; }
.notice.accepted { border-color: #1f7a3a; background: #eef8f0; }
.notice.stale { border-color: #e0b84a; background: #fffaf0; }
.login form { display: flex; flex-direction: column; gap: .8rem; max-width: 22rem; }
.login label { display: flex; flex-direction: column; }
.empty, .more { color: #5b6470; }
`;
