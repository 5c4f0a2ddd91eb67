import { createHmac } from 'node:crypto';
import { NOTICE_KINDS, type NoticeKind } from './kinds.js';

/**
 * Aliyun SMS (阿里云短信服务, dysmsapi) `SendSms`, API version 2017-05-25, signed with the RPC signature
 * version 1.0 as Aliyun documents it:
 *
 * 1. the request's parameters (common: AccessKeyId, Action, Format, RegionId, SignatureMethod=HMAC-SHA1,
 *    SignatureNonce, SignatureVersion=1.0, Timestamp as yyyy-MM-ddTHH:mm:ssZ in UTC, Version; and the
 *    action's: PhoneNumbers, SignName, TemplateCode, TemplateParam as JSON, OutId) without `Signature`,
 *    sorted by name;
 * 2. each name and value percent-encoded in UTF-8 leaving only A–Z a–z 0–9 - _ . ~ as they are (a space
 *    is %20, `*` is %2A, `~` stays), joined `name=value` with `&`: the canonicalized query string;
 * 3. StringToSign = HTTP method + `&` + percentEncode('/') + `&` + percentEncode(canonicalized query);
 * 4. Signature = base64(HMAC-SHA1(key = AccessKeySecret + '&', StringToSign)), sent as one more parameter.
 *
 * Granary POSTs the parameters as an application/x-www-form-urlencoded body (phone numbers stay out of
 * URLs and proxy logs); the method signed is then POST.
 */
export const SEND_SMS_VERSION = '2017-05-25';
export const ALIYUN_REGION = 'cn-hangzhou';

/** RFC 3986 percent-encoding as the signature wants it: everything but A–Z a–z 0–9 - _ . ~ encoded. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonicalized query string: parameters (without Signature) sorted by name, encoded, `k=v` joined by `&`. */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export function stringToSign(method: 'GET' | 'POST', params: Record<string, string>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

/** base64 HMAC-SHA1 of the string to sign, keyed with the AccessKey secret and `&`. */
export function aliyunSignature(accessKeySecret: string, method: 'GET' | 'POST', params: Record<string, string>): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}

/** 2017-07-12T02:42:19.123Z → 2017-07-12T02:42:19Z (the Timestamp Aliyun accepts: UTC, no fraction). */
export function aliyunTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface SendSmsInput {
  accessKeyId: string;
  signName: string;
  templateCode: string;
  phone: string;
  templateParam: Record<string, string>;
  /** our id of the message, echoed in the provider's delivery receipts */
  outId: string;
  now: Date;
  /** unique per request (Aliyun refuses a nonce it saw in the last 15 minutes) */
  nonce: string;
}

/** The parameters of one SendSms request, unsigned. */
export function sendSmsParams(i: SendSmsInput): Record<string, string> {
  return {
    AccessKeyId: i.accessKeyId,
    Action: 'SendSms',
    Format: 'JSON',
    OutId: i.outId,
    PhoneNumbers: i.phone,
    RegionId: ALIYUN_REGION,
    SignName: i.signName,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: i.nonce,
    SignatureVersion: '1.0',
    TemplateCode: i.templateCode,
    TemplateParam: JSON.stringify(i.templateParam),
    Timestamp: aliyunTimestamp(i.now),
    Version: SEND_SMS_VERSION,
  };
}

/** The form body of a signed POST: the canonicalized parameters and the Signature. */
export function signedForm(accessKeySecret: string, params: Record<string, string>): string {
  return `${canonicalQuery(params)}&Signature=${percentEncode(aliyunSignature(accessKeySecret, 'POST', params))}`;
}

export type SendOutcome = { ok: true; providerMessageId: string | null } | { ok: false; error: string; permanent: boolean };

/** Codes after which sending the same message again cannot succeed (the number itself is refused). */
const PERMANENT_CODES = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.BLACK_KEY_CONTROL_LIMIT', 'isv.DENY_IP_RANGE']);

/**
 * What a SendSms answer means: `{"Code":"OK","BizId":…}` is sent; any other Code (also on a 4xx/5xx, where
 * Aliyun answers the same JSON — SignatureDoesNotMatch, isv.BUSINESS_LIMIT_CONTROL …) is a failure keeping
 * `Code: Message`; an answer that is not that JSON is a failure too.
 */
export function sendSmsOutcome(status: number, text: string): SendOutcome {
  type Answer = { Code?: unknown; Message?: unknown; BizId?: unknown } | null;
  let body: Answer = null;
  try {
    body = JSON.parse(text) as Answer;
  } catch {
    /* not JSON: a proxy or an outage answered */
  }
  if (!body || typeof body !== 'object' || typeof body.Code !== 'string') return { ok: false, error: `HTTP ${status}: ${text.slice(0, 200) || 'no body'}`, permanent: false };
  if (body.Code === 'OK' && status >= 200 && status < 300) return { ok: true, providerMessageId: typeof body.BizId === 'string' ? body.BizId : null };
  const message = typeof body.Message === 'string' ? body.Message : '';
  return { ok: false, error: `${body.Code}${message ? `: ${message}` : ''}`.slice(0, 300), permanent: PERMANENT_CODES.has(body.Code) };
}

/** Aliyun template codes: SMS_ and digits. */
const TEMPLATE_CODE = /^SMS_[0-9]{1,20}$/;

/**
 * GRANARY_SMS_ALIYUN_TEMPLATES: which approved template (TemplateCode) each kind of notice is sent with,
 * `kind=TemplateCode` pairs separated by commas, every kind once:
 * `balance_low=SMS_123,days_left=SMS_124,pending_disconnection=SMS_125,disconnected=SMS_126,reconnected=SMS_127`.
 * White space around the parts is allowed. Anything else throws an Error naming what is wrong.
 */
export function parseTemplateMapping(text: string): Record<NoticeKind, string> {
  const name = 'GRANARY_SMS_ALIYUN_TEMPLATES';
  const format = `kind=TemplateCode pairs separated by commas, e.g. ${NOTICE_KINDS.map((k, i) => `${k}=SMS_${100 + i}`).join(',')}`;
  const out: Partial<Record<NoticeKind, string>> = {};
  const parts = text.split(',').map((p) => p.trim());
  for (const [i, part] of parts.entries()) {
    if (part === '') throw new Error(`${name}: entry ${i + 1} is empty; want ${format}`);
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`${name}: "${part.slice(0, 60)}" is not kind=TemplateCode; want ${format}`);
    const kind = part.slice(0, eq).trim();
    const code = part.slice(eq + 1).trim();
    if (!(NOTICE_KINDS as readonly string[]).includes(kind)) throw new Error(`${name}: unknown kind "${kind.slice(0, 40)}" (kinds: ${NOTICE_KINDS.join(', ')})`);
    if (!TEMPLATE_CODE.test(code)) throw new Error(`${name}: the TemplateCode of ${kind} must be SMS_ followed by digits, got "${code.slice(0, 40)}"`);
    if (out[kind as NoticeKind]) throw new Error(`${name}: ${kind} is given twice`);
    out[kind as NoticeKind] = code;
  }
  const missing = NOTICE_KINDS.filter((k) => !out[k]);
  if (missing.length) throw new Error(`${name}: no TemplateCode for ${missing.join(', ')}; every kind needs one (${format})`);
  return out as Record<NoticeKind, string>;
}
