import { randomBytes, randomUUID } from 'node:crypto';
import type { NotifySettings } from '../../../config.js';
import { gridappSignature } from '../../channels/index.js';
import { parseTemplateMapping, sendSmsOutcome, sendSmsParams, signedForm, type SendOutcome } from '../domain/aliyun-sms.js';
import { pushMessage, pushOutcome } from '../domain/gridapp-push.js';
import type { NoticeChannel, NoticeKind } from '../domain/kinds.js';
import { templateVariables } from '../domain/templates.js';
import type { ClaimedMessage } from '../notify.repository.js';

/** One message's send over one channel; never throws (a network error is a failed outcome). */
export type Send = (m: ClaimedMessage, o: { now: Date; fetch: typeof fetch }) => Promise<SendOutcome>;

/** The configured channels; null = not configured (its messages stay `held` in the outbox). */
export type Senders = Record<NoticeChannel, Send | null>;

/** A provider that has not answered in this long counts as failed (the message is retried later). */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * The senders the settings configure. SMS is on when all four Aliyun settings are given (access key id
 * and secret, sign name, template mapping), the push when GRANARY_GRIDAPP_PUSH_URL is (with the shared
 * secret). Some but not all of a channel's settings, or a malformed template mapping, throw an Error
 * naming what is wrong: the server and the CLI refuse to start rather than hold messages silently.
 */
export function sendersOf(settings: NotifySettings): Senders {
  return { sms: aliyunSender(settings), app: gridappSender(settings) };
}

function aliyunSender(settings: NotifySettings): Send | null {
  const a = settings.aliyun;
  const given = {
    GRANARY_SMS_ALIYUN_ACCESS_KEY_ID: a.accessKeyId,
    GRANARY_SMS_ALIYUN_ACCESS_KEY_SECRET: a.accessKeySecret,
    GRANARY_SMS_ALIYUN_SIGN_NAME: a.signName,
    GRANARY_SMS_ALIYUN_TEMPLATES: a.templates,
  };
  const missing = Object.entries(given).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length === 4) return null;
  if (missing.length) throw new Error(`Aliyun SMS is half configured: set ${missing.join(', ')} too, or none of the GRANARY_SMS_ALIYUN_* settings`);
  const templates = parseTemplateMapping(a.templates!);
  const endpoint = a.endpoint;
  return async (m, o) => {
    const params = sendSmsParams({
      accessKeyId: a.accessKeyId!,
      signName: a.signName!,
      templateCode: templates[m.kind],
      phone: m.recipient,
      templateParam: templateVariables(m.kind, m.params as Record<string, string | number>),
      outId: String(m.id),
      now: o.now,
      nonce: randomUUID(),
    });
    return post(o.fetch, endpoint, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' }, signedForm(a.accessKeySecret!, params), sendSmsOutcome);
  };
}

function gridappSender(settings: NotifySettings): Send | null {
  const url = settings.gridappPushUrl;
  if (!url) return null;
  if (!settings.gridappSecret) throw new Error('GRANARY_GRIDAPP_PUSH_URL is set but GRANARY_GRIDAPP_SECRET is not: the push is signed with the grid app’s shared secret');
  const secret = Buffer.from(settings.gridappSecret, 'utf8');
  return async (m, o) => {
    const accountNo = String(m.params.accountNo ?? m.recipient);
    const body = JSON.stringify(pushMessage({ id: m.id, accountNo, kind: m.kind as NoticeKind, body: m.body, now: o.now }));
    const timestamp = String(Math.floor(o.now.getTime() / 1000));
    const nonce = randomBytes(12).toString('hex');
    const headers = {
      'content-type': 'application/json',
      'x-grid-timestamp': timestamp,
      'x-grid-nonce': nonce,
      'x-grid-signature': gridappSignature(secret, timestamp, nonce, body),
    };
    return post(o.fetch, url, headers, body, pushOutcome);
  };
}

async function post(f: typeof fetch, url: string, headers: Record<string, string>, body: string, outcome: (status: number, text: string) => SendOutcome): Promise<SendOutcome> {
  try {
    const res = await f(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS), redirect: 'error' });
    return outcome(res.status, await res.text());
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, error: `network: ${e.cause?.code ?? e.name}${e.message ? ` ${e.message}` : ''}`.slice(0, 300), permanent: false };
  }
}
