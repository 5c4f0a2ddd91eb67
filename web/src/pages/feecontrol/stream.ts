import { useEffect, useRef, useState } from 'react';
import { API_BASE } from '../../api/client';
import { EVENT_KINDS } from '../../../../src/modules/ledger/domain/events';
import type { AccountEvent } from '../../../../src/modules/ledger/ledger.types';

export type { AccountEvent };
export type StreamState = 'connecting' | 'open' | 'closed';

/**
 * Account events of the caller's scope as they are posted (GET /api/v1/events/stream, server-sent events). An
 * EventSource cannot send an Authorization header: it sends the session cookie (same origin), which the server
 * accepts on GET. Each event is named by its kind, so every kind gets a listener; a dropped connection resumes
 * after the last seen id (Last-Event-ID) on its own.
 */
export function useAccountEvents(onEvent: (e: AccountEvent) => void, enabled = true): StreamState {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') {
      setState('closed');
      return;
    }
    const source = new EventSource(`${API_BASE}/events/stream`, { withCredentials: true });
    setState('connecting');
    const listen = (message: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(message.data) as AccountEvent);
      } catch {
        /* a malformed event is skipped */
      }
    };
    for (const kind of EVENT_KINDS) source.addEventListener(kind, listen as EventListener);
    source.onopen = () => setState('open');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    return () => {
      for (const kind of EVENT_KINDS) source.removeEventListener(kind, listen as EventListener);
      source.close();
    };
  }, [enabled]);

  return state;
}

/** Calls `fn` at most once per `ms`, trailing: many events in a burst make one refresh. */
export function useThrottled(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const ref = useRef(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      fnRef.current();
    }, ms);
  });
  return ref.current;
}
