/**
 * The one way the UI talks to the API: same-origin fetch with the session cookie, JSON in and out,
 * and every error turned into an ApiError carrying the RFC 9457 problem body.
 */

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
  [k: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  get code(): string | undefined {
    return this.problem.code;
  }
}

export const API_BASE = '/api/v1';

type Query = Record<string, string | number | boolean | null | undefined>;

/** `/accounts` + {q: 'x', limit: 50} → `/accounts?q=x&limit=50`; empty values are left out. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await response.json()) as Partial<Problem>;
      return { ...body, status: body.status ?? response.status };
    } catch {
      /* fall through: a proxy or the network answered with something else */
    }
  }
  return { status: response.status, title: response.statusText, detail: `HTTP ${response.status} ${response.statusText}`.trim() };
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError({ status: 0, code: 'NETWORK', detail: (err as Error).message });
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A file as the raw request body (statement and bank-file imports take the file as it is); same session and errors as api(). */
export async function apiUpload<T>(path: string, file: Blob, contentType = 'text/csv'): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': contentType }, body: file });
  } catch (err) {
    throw new ApiError({ status: 0, code: 'NETWORK', detail: (err as Error).message });
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as T;
}
