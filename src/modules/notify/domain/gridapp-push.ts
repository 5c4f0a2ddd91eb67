import type { SendOutcome } from './aliyun-sms.js';
import type { NoticeKind } from './kinds.js';
import { NOTICE_TITLES } from './templates.js';

/**
 * The push to the grid's app (网上国网) — Granary's protocol, the mirror of the app's payment callback
 * (src/modules/channels/domain/gridapp.ts): POST JSON `{messageId, accountNo, kind, title, content, sentAt}`
 * to GRANARY_GRIDAPP_PUSH_URL with headers X-Grid-Timestamp (Unix seconds), X-Grid-Nonce and
 * X-Grid-Signature = lowercase hex HMAC-SHA256 with the shared secret (GRANARY_GRIDAPP_SECRET) over
 * `timestamp\nnonce\nbody\n`, signed by the callback's own `gridappSignature`. The app finds its users by
 * the account number they bound (户号); `messageId` is the same on a retry, so it can drop a repeat.
 * It answers 200 `{"code":"SUCCESS","pushId":"…"}`; anything else is a failure (`{"code":"FAIL","message":…}`).
 */
export interface PushMessage {
  messageId: string;
  accountNo: string;
  kind: NoticeKind;
  title: string;
  content: string;
  sentAt: string;
}

export function pushMessage(m: { id: number; accountNo: string; kind: NoticeKind; body: string; now: Date }): PushMessage {
  return { messageId: String(m.id), accountNo: m.accountNo, kind: m.kind, title: NOTICE_TITLES[m.kind], content: m.body, sentAt: m.now.toISOString() };
}

export function pushOutcome(status: number, text: string): SendOutcome {
  type Answer = { code?: unknown; message?: unknown; pushId?: unknown } | null;
  let body: Answer = null;
  try {
    body = JSON.parse(text) as Answer;
  } catch {
    /* not JSON */
  }
  if (status >= 200 && status < 300 && body?.code === 'SUCCESS') return { ok: true, providerMessageId: typeof body.pushId === 'string' ? body.pushId : null };
  if (body && typeof body.code === 'string') return { ok: false, error: `HTTP ${status} ${body.code}${typeof body.message === 'string' ? `: ${body.message}` : ''}`.slice(0, 300), permanent: false };
  return { ok: false, error: `HTTP ${status}: ${text.slice(0, 200) || 'no body'}`, permanent: false };
}
