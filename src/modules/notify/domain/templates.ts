import { AppError } from '../../../shared/errors.js';
import { yuanOf } from '../../../shared/money.js';
import type { NoticeKind } from './kinds.js';

/**
 * The Chinese texts of the five notices, written as Aliyun SMS templates are (`${name}` variables): the
 * same string is what an operator registers as the SMS template of the kind, what the outbox shows, and
 * what the grid app's push carries. Rendering is substituting the variables, as the provider does.
 */
export const NOTICE_TEMPLATES: Record<NoticeKind, string> = {
  balance_low: '您的户号${accountNo}可用电费余额${amount}元，已低于预警金额，请及时缴费，以免影响正常用电。',
  days_left: '您的户号${accountNo}可用电费余额${amount}元，按近期用电预计还可用约${days}天，请及时缴费。',
  pending_disconnection: '您的户号${accountNo}已欠费${amount}元，请于${date}前缴清，逾期将停止供电。缴费：${url}',
  disconnected: '您的户号${accountNo}因欠费已停止供电，欠费${amount}元，缴清后将自动恢复供电。缴费：${url}',
  reconnected: '您的户号${accountNo}已恢复供电，当前可用电费余额${amount}元，感谢您的支持。',
};

/** The title of the grid app's push (the SMS has none). */
export const NOTICE_TITLES: Record<NoticeKind, string> = {
  balance_low: '电费余额不足提醒',
  days_left: '可用天数提醒',
  pending_disconnection: '欠费停电预告',
  disconnected: '欠费停电通知',
  reconnected: '恢复供电通知',
};

/** One notice for one account, as the fee-control engine hands it over (src/modules/notify/index.ts). */
export interface Notice {
  accountId: number;
  kind: NoticeKind;
  /** template parameters: availableFen, daysLeft, disconnectOn (date), payUrl … as the template needs */
  params: Record<string, string | number>;
  /** unique: the same notice is never queued twice (e.g. `${accountId}:balance_low:${date}`) */
  dedupeKey: string;
}

/** The parameters a notice must carry: Notice.params names, per kind. */
export const REQUIRED_PARAMS: Record<NoticeKind, readonly NoticeParam[]> = {
  balance_low: ['availableFen'],
  days_left: ['availableFen', 'daysLeft'],
  pending_disconnection: ['availableFen', 'disconnectOn', 'payUrl'],
  disconnected: ['availableFen', 'payUrl'],
  reconnected: ['availableFen'],
};
export type NoticeParam = 'availableFen' | 'daysLeft' | 'disconnectOn' | 'payUrl';

/** The variables each template uses, besides `accountNo` (which the outbox fills in from the account). */
export const TEMPLATE_VARIABLES: Record<NoticeKind, readonly string[]> = {
  balance_low: ['accountNo', 'amount'],
  days_left: ['accountNo', 'amount', 'days'],
  pending_disconnection: ['accountNo', 'amount', 'date', 'url'],
  disconnected: ['accountNo', 'amount', 'url'],
  reconnected: ['accountNo', 'amount'],
};

const DATE = /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
/** An http(s) address without white space, quotes, braces or angle brackets (it is sent inside a text). */
const URL_TEXT = /^https?:\/\/[A-Za-z0-9._~:/?#[\]@!$&'()*+,;=%-]{1,300}$/;
const DEDUPE_KEY = /^[\x21-\x7e\u00a0-\uffff]{1,200}$/;

/**
 * Checks a notice before it is queued: a kind the outbox knows, a dedupe key, and the parameters its
 * template needs with the right types. A notice that fails is a bug of its caller: an AppError naming
 * the notice and the parameter, before anything is written.
 */
export function checkNotice(n: Notice): void {
  const where = `notice ${JSON.stringify(String(n.dedupeKey).slice(0, 80))}`;
  const refuse = (field: string, message: string) => new AppError('VALIDATION', `${where}: ${field} ${message}`, { errors: [{ field, message }] });
  if (!Number.isSafeInteger(n.accountId) || n.accountId < 1) throw refuse('accountId', 'must be a positive whole number');
  if (!(n.kind in NOTICE_TEMPLATES)) throw refuse('kind', `must be one of ${Object.keys(NOTICE_TEMPLATES).join(', ')}`);
  if (typeof n.dedupeKey !== 'string' || !DEDUPE_KEY.test(n.dedupeKey)) throw refuse('dedupeKey', 'must be 1–200 printable characters without spaces');
  const p = n.params ?? {};
  for (const name of REQUIRED_PARAMS[n.kind]) if (p[name] === undefined || p[name] === '') throw refuse(`params.${name}`, `is required for ${n.kind}`);
  if (p.availableFen !== undefined && (typeof p.availableFen !== 'number' || !Number.isSafeInteger(p.availableFen))) throw refuse('params.availableFen', 'must be a whole number of fen');
  if (p.daysLeft !== undefined && (typeof p.daysLeft !== 'number' || !Number.isFinite(p.daysLeft) || p.daysLeft < 0)) throw refuse('params.daysLeft', 'must be a number ≥ 0');
  if (p.disconnectOn !== undefined && (typeof p.disconnectOn !== 'string' || !DATE.test(p.disconnectOn))) throw refuse('params.disconnectOn', 'must be a date YYYY-MM-DD');
  if (p.payUrl !== undefined && (typeof p.payUrl !== 'string' || !URL_TEXT.test(p.payUrl))) throw refuse('params.payUrl', 'must be an http(s) address');
}

/**
 * The template variables of a notice from its parameters: amounts in 元 (what is owed, for the notices
 * of an account below zero), whole days left, the date as 11月23日. `accountNo` is taken from the
 * parameters when they have it (the outbox adds it when it queues the notice).
 */
export function templateVariables(kind: NoticeKind, params: Record<string, string | number | undefined>): Record<string, string> {
  const vars: Record<string, string> = {};
  const available = typeof params.availableFen === 'number' ? params.availableFen : 0;
  for (const v of TEMPLATE_VARIABLES[kind]) {
    if (v === 'accountNo' && params.accountNo !== undefined) vars.accountNo = String(params.accountNo);
    if (v === 'amount') vars.amount = kind === 'pending_disconnection' || kind === 'disconnected' ? yuanOf(Math.max(0, -available)) : yuanOf(available);
    if (v === 'days') vars.days = String(Math.max(0, Math.floor(Number(params.daysLeft ?? 0))));
    if (v === 'date') vars.date = chineseDate(String(params.disconnectOn ?? ''));
    if (v === 'url') vars.url = String(params.payUrl ?? '');
  }
  return vars;
}

/** The template with its variables substituted; a variable not given stays as `${name}`. */
export function renderTemplate(kind: NoticeKind, vars: Record<string, string>): string {
  return NOTICE_TEMPLATES[kind].replace(/\$\{(\w+)\}/g, (slot, name: string) => vars[name] ?? slot);
}

/** The text of a notice, e.g. for an account whose number is known. */
export function renderNotice(kind: NoticeKind, params: Record<string, string | number | undefined>): string {
  return renderTemplate(kind, templateVariables(kind, params));
}

/** The slot the outbox fills with the account number when it queues (the number is read in the same statement). */
export const ACCOUNT_NO_SLOT = '${accountNo}';

/** 2026-11-23 → 11月23日. */
function chineseDate(date: string): string {
  const m = DATE.exec(date);
  return m ? `${Number(m[2])}月${Number(m[3])}日` : date;
}
