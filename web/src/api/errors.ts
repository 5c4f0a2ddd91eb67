import { ApiError } from './client';
import i18n from '../i18n';

/**
 * Where API errors end up. Components register the sink once (they own antd's message API and the router);
 * the query cache reports into it, so no screen has to repeat the 401 / problem+json handling.
 */
interface ErrorSink {
  notify(text: string): void;
  unauthenticated(): void;
}

let sink: ErrorSink | null = null;

export function setErrorSink(next: ErrorSink | null): void {
  sink = next;
}

/** The text shown for an API error: translated kind, then the server's own `detail`. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return i18n.t('error.network');
    const code = err.code ?? '';
    const kind = i18n.exists(`error.${code}`) ? i18n.t(`error.${code}`) : i18n.t('error.title');
    return err.problem.detail ? `${kind}：${err.problem.detail}` : kind;
  }
  return `${i18n.t('error.title')}：${(err as Error)?.message ?? String(err)}`;
}

export interface ErrorMeta {
  /** The screen shows this error itself (e.g. a 404 page); do not pop a message too. */
  silentStatuses?: number[];
  /** The screen handles every error itself, 401 included (the public payment page has no session to forget). */
  silent?: boolean;
}

export function reportError(err: unknown, meta?: ErrorMeta): void {
  if (meta?.silent) return;
  if (err instanceof ApiError && err.status === 401) {
    sink?.unauthenticated();
    return;
  }
  if (err instanceof ApiError && meta?.silentStatuses?.includes(err.status)) return;
  if ((err as Error)?.name === 'AbortError') return;
  sink?.notify(describeError(err));
}
