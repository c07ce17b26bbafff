// A minimal SIP user agent over UDP for driving real calls through Kamailio in tests.
// It speaks just enough RFC 3261 for a record-routing proxy: INVITE/ACK/BYE/CANCEL as a
// caller, 180/200/486/487 as a callee, and 200 to any BYE it receives. No SDP.
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';

export interface SipMessage {
  /** Request method, or undefined for a response. */
  method?: string;
  ruri?: string;
  status?: number;
  reason?: string;
  /** Header values in order of appearance, by lower-case full name. */
  headers: Map<string, string[]>;
  raw: string;
}

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
};

function parseSip(text: string): SipMessage {
  const [head = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const start = lines.shift() ?? '';
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const value = line.slice(colon + 1).trim();
    const list = headers.get(name) ?? [];
    list.push(value);
    headers.set(name, list);
  }
  if (start.startsWith('SIP/2.0 ')) {
    const [, code = '0', ...reason] = start.split(' ');
    return { status: Number(code), reason: reason.join(' '), headers, raw: text };
  }
  const [method = '', ruri = ''] = start.split(' ');
  return { method, ruri, headers, raw: text };
}

function header(msg: SipMessage, name: string): string {
  return msg.headers.get(name)?.[0] ?? '';
}

function tagOf(value: string): string | undefined {
  return /;tag=([^;>\s]+)/.exec(value)?.[1];
}

function uriIn(value: string): string {
  return /<([^>]+)>/.exec(value)?.[1] ?? value.split(';')[0] ?? value;
}

function token(): string {
  return randomBytes(6).toString('hex');
}

/** What a callee does with an INVITE, chosen by the Request-URI user. */
export type CalleeBehaviour =
  { kind: 'answer'; ringMs: number } | { kind: 'busy' } | { kind: 'ring' };

interface Waiter {
  match: (msg: SipMessage) => boolean;
  resolve: (msg: SipMessage) => void;
}

/** One UDP endpoint on 127.0.0.1 acting as caller and callee. */
export class SipPhone {
  readonly #socket: Socket;
  readonly #waiters: Waiter[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Last response sent per INVITE branch, for retransmitted INVITEs. */
  readonly #sent = new Map<string, string>();
  readonly received: SipMessage[] = [];
  behaviour: (user: string) => CalleeBehaviour = () => ({ kind: 'answer', ringMs: 50 });
  /** Answers a BYE this long after it arrives (0: at once, as no phone across a network can). */
  byeReplyDelayMs = 0;
  port = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (data, rinfo) => this.#onMessage(data.toString('utf8'), rinfo));
  }

  static async open(): Promise<SipPhone> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const phone = new SipPhone(socket);
    phone.port = socket.address().port;
    return phone;
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#socket.close();
  }

  send(text: string, port: number): void {
    this.#socket.send(text, port, '127.0.0.1');
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (msg: SipMessage) => boolean, timeoutMs = 5000): Promise<SipMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        reject(new Error(`SIP message not received within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#timers.add(timer);
      this.#waiters.push({
        match,
        resolve: (msg) => {
          clearTimeout(timer);
          this.#timers.delete(timer);
          resolve(msg);
        },
      });
    });
  }

  /** Runs `fn` after `ms` unless the phone is closed first. */
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #onMessage(text: string, rinfo: RemoteInfo): void {
    const msg = parseSip(text);
    this.received.push(msg);
    for (let i = 0; i < this.#waiters.length; i++) {
      const waiter = this.#waiters[i];
      if (waiter?.match(msg)) {
        this.#waiters.splice(i, 1);
        waiter.resolve(msg);
        break;
      }
    }
    if (msg.method === 'INVITE') this.#onInvite(msg, rinfo);
    else if (msg.method === 'BYE') {
      if (this.byeReplyDelayMs > 0)
        this.later(this.byeReplyDelayMs, () => this.#reply(msg, rinfo, 200, 'OK'));
      else this.#reply(msg, rinfo, 200, 'OK');
    } else if (msg.method === 'CANCEL') this.#onCancel(msg, rinfo);
  }

  #reply(req: SipMessage, rinfo: RemoteInfo, code: number, reason: string, toTag?: string): string {
    const lines = [`SIP/2.0 ${code} ${reason}`];
    for (const via of req.headers.get('via') ?? []) lines.push(`Via: ${via}`);
    for (const rr of req.headers.get('record-route') ?? []) lines.push(`Record-Route: ${rr}`);
    const to = header(req, 'to');
    lines.push(`From: ${header(req, 'from')}`);
    lines.push(`To: ${toTag && !tagOf(to) ? `${to};tag=${toTag}` : to}`);
    lines.push(`Call-ID: ${header(req, 'call-id')}`);
    lines.push(`CSeq: ${header(req, 'cseq')}`);
    if (code >= 200 && code < 300 && req.method === 'INVITE') {
      lines.push(`Contact: <sip:callee@127.0.0.1:${this.port}>`);
    }
    lines.push('Content-Length: 0', '', '');
    const text = lines.join('\r\n');
    this.send(text, rinfo.port);
    return text;
  }

  #onInvite(req: SipMessage, rinfo: RemoteInfo): void {
    const branch = /branch=([^;]+)/.exec(header(req, 'via'))?.[1] ?? '';
    const previous = this.#sent.get(branch);
    if (previous !== undefined) {
      this.send(previous, rinfo.port);
      return;
    }
    const user = /^sips?:([^@]+)@/.exec(req.ruri ?? '')?.[1] ?? '';
    const behaviour = this.behaviour(user);
    const toTag = token();
    if (behaviour.kind === 'busy') {
      this.#sent.set(branch, this.#reply(req, rinfo, 486, 'Busy Here', toTag));
      return;
    }
    this.#sent.set(branch, this.#reply(req, rinfo, 180, 'Ringing', toTag));
    if (behaviour.kind === 'answer') {
      this.later(behaviour.ringMs, () => {
        this.#sent.set(branch, this.#reply(req, rinfo, 200, 'OK', toTag));
      });
    } else {
      this.#pendingRing.set(header(req, 'call-id'), { req, rinfo, toTag });
    }
  }

  readonly #pendingRing = new Map<string, { req: SipMessage; rinfo: RemoteInfo; toTag: string }>();

  #onCancel(cancel: SipMessage, rinfo: RemoteInfo): void {
    this.#reply(cancel, rinfo, 200, 'OK');
    const ring = this.#pendingRing.get(header(cancel, 'call-id'));
    if (ring) {
      this.#pendingRing.delete(header(cancel, 'call-id'));
      this.#reply(ring.req, ring.rinfo, 487, 'Request Terminated', ring.toTag);
    }
  }
}

export interface CallOptions {
  proxyPort: number;
  calleePort: number;
  fromUser: string;
  fromDisplay?: string;
  toUser: string;
  headers?: Record<string, string>;
  callId?: string;
  /** Sends the ACK of a 2xx this long after it (a slow or distant caller). */
  ackDelayMs?: number;
}

/** The caller's side of one call placed through the proxy. */
export class OutgoingCall {
  readonly callId: string;
  readonly #phone: SipPhone;
  readonly #opts: CallOptions;
  readonly #fromTag = token();
  readonly #branch = `z9hG4bK${token()}`;
  readonly #ruri: string;
  #cseq = 1;
  #routes: string[] = [];
  #remoteTarget = '';
  #to = '';

  constructor(phone: SipPhone, opts: CallOptions) {
    this.#phone = phone;
    this.#opts = opts;
    this.callId = opts.callId ?? `${token()}@live-calls-test`;
    this.#ruri = `sip:${opts.toUser}@127.0.0.1:${opts.calleePort}`;
    this.#to = `<sip:${opts.toUser}@127.0.0.1>`;
  }

  #from(): string {
    const quoted = this.#opts.fromDisplay?.replace(/["\\]/g, (c) => `\\${c}`);
    const display = quoted === undefined ? '' : `"${quoted}" `;
    return `${display}<sip:${this.#opts.fromUser}@127.0.0.1>;tag=${this.#fromTag}`;
  }

  #request(method: string, ruri: string, branch: string, cseq: number, extra: string[]): string {
    return [
      `${method} ${ruri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.#phone.port};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: ${this.#from()}`,
      `To: ${this.#to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  #isMine(msg: SipMessage, method: string): boolean {
    return (
      msg.status !== undefined &&
      header(msg, 'call-id') === this.callId &&
      header(msg, 'cseq').endsWith(` ${method}`)
    );
  }

  invite(): void {
    const extra = [`Contact: <sip:${this.#opts.fromUser}@127.0.0.1:${this.#phone.port}>`];
    for (const [name, value] of Object.entries(this.#opts.headers ?? {})) {
      extra.push(`${name}: ${value}`);
    }
    this.#phone.send(
      this.#request('INVITE', this.#ruri, this.#branch, 1, extra),
      this.#opts.proxyPort,
    );
  }

  /** Waits for a response to the INVITE with a status accepted by `match`. */
  async response(match: (status: number) => boolean, timeoutMs = 5000): Promise<SipMessage> {
    const msg = await this.#phone.waitFor(
      (m) => this.#isMine(m, 'INVITE') && match(m.status ?? 0),
      timeoutMs,
    );
    const status = msg.status ?? 0;
    const ackDelayMs = this.#opts.ackDelayMs ?? 0;
    if (status >= 200 && status < 300) {
      if (ackDelayMs > 0) this.#phone.later(ackDelayMs, () => this.#ack2xx(msg));
      else this.#ack2xx(msg);
    } else if (status >= 300) this.#ackFailure(msg);
    return msg;
  }

  #ack2xx(ok: SipMessage): void {
    this.#to = header(ok, 'to');
    this.#remoteTarget = uriIn(header(ok, 'contact'));
    // A UAC uses the Record-Route set in reverse order.
    const rr = (ok.headers.get('record-route') ?? []).flatMap((v) => v.split(/,\s*(?=<)/));
    this.#routes = rr.reverse();
    this.#inDialog('ACK', 1);
  }

  #ackFailure(failure: SipMessage): void {
    this.#to = header(failure, 'to');
    this.#phone.send(this.#request('ACK', this.#ruri, this.#branch, 1, []), this.#opts.proxyPort);
  }

  #inDialog(method: string, cseq: number): void {
    const route = this.#routes.map((r) => `Route: ${r}`);
    this.#phone.send(
      this.#request(method, this.#remoteTarget, `z9hG4bK${token()}`, cseq, route),
      this.#opts.proxyPort,
    );
  }

  async bye(): Promise<SipMessage> {
    this.#cseq += 1;
    this.#inDialog('BYE', this.#cseq);
    return this.#phone.waitFor((m) => this.#isMine(m, 'BYE'));
  }

  async cancel(): Promise<SipMessage> {
    this.#phone.send(
      this.#request('CANCEL', this.#ruri, this.#branch, 1, []),
      this.#opts.proxyPort,
    );
    return this.#phone.waitFor((m) => this.#isMine(m, 'CANCEL'));
  }
}
