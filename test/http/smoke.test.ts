import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { loadConfig } from '../../src/config.js';
import { HELMET_OPTIONS, securityHeaders } from '../../src/http/app.js';
import { seedCounty, type Fixture } from '../fixtures/county.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let t: TestApp;
let fx: Fixture;

beforeAll(async () => {
  handle = await createTestDatabase();
  fx = await seedCounty(handle.db);
  t = await buildTestApp(handle);
});
afterAll(async () => {
  await t?.app.close();
  await handle?.close();
});

describe('smoke', () => {
  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const spec = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toContain('/api/v1/accounts');
    const docs = await t.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toMatch(/swagger/i);
  });

  it('sends the security headers on every response, API and problem documents alike', async () => {
    for (const url of ['/healthz', '/api/v1/no-such-route']) {
      const res = await t.app.inject({ url });
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.headers['content-security-policy']).toMatch(/img-src 'self' data:/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    }
  });

  it("sends exactly the headers helmet itself sets on a response (worked out once, not per request)", async () => {
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    helmet(HELMET_OPTIONS)(req, res, () => {});
    const own = Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k, String(v)]));
    expect(Object.fromEntries(Object.entries(securityHeaders(HELMET_OPTIONS)).map(([k, v]) => [k.toLowerCase(), v]))).toEqual(own);
    const sent = (await t.app.inject({ url: '/healthz' })).headers;
    for (const [name, value] of Object.entries(own)) expect(sent[name], name).toBe(value);
  });

  it('exposes Prometheus metrics with per-route request durations', async () => {
    await t.app.inject({ url: '/healthz' });
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/granary_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    expect(res.body).toMatch(/granary_process_resident_memory_bytes/);
  });

  it('keeps metrics to this machine when no token is set', async () => {
    const res = await t.app.inject({ url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body).not.toMatch(/granary_/);
  });

  it('wants the metrics token from every address once one is set', async () => {
    const token = 'scrape-token-0123456789';
    const guarded = await buildTestApp(handle, { env: { GRANARY_METRICS_TOKEN: token } });
    try {
      const scrape = (remoteAddress: string, authorization?: string) =>
        guarded.app.inject({ url: '/metrics', remoteAddress, headers: authorization ? { authorization } : {} });
      expect((await scrape('10.1.2.3', `Bearer ${token}`)).statusCode).toBe(200);
      expect((await scrape('127.0.0.1', `Bearer ${token}`)).body).toMatch(/granary_process_resident_memory_bytes/);
      for (const [address, header] of [['10.1.2.3', undefined], ['10.1.2.3', `Bearer ${token}x`], ['127.0.0.1', undefined], ['127.0.0.1', 'Bearer ']] as const) {
        const res = await scrape(address, header);
        expect(res.statusCode, `${address} ${header}`).toBe(401);
        expect(res.body).not.toMatch(/granary_/);
      }
    } finally {
      await guarded.app.close();
    }
  });

  it('refuses a metrics token shorter than 16 characters at start', () => {
    expect(() => loadConfig({ GRANARY_METRICS_TOKEN: 'short' })).toThrow(/GRANARY_METRICS_TOKEN: at least 16 characters/);
  });

  it('answers unknown API routes with a problem document', async () => {
    expect((await t.app.inject({ url: '/api/v1/nothing-here' })).statusCode).toBe(401);
    const res = await t.as('admin', { method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().code).toBe('NOT_FOUND');
  });
  it('lists accounts for admin', async () => {
    const res = await t.as('admin', { method: 'GET', url: '/api/v1/accounts' });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(3);
    const one = await t.as('admin', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A1}` });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().customer.phone).toBe('138****0001');
    const reads = await t.as('admin', { method: 'GET', url: `/api/v1/accounts/${fx.accounts.A1}/reads?from=2026-01-01` });
    expect(reads.statusCode, reads.body).toBe(200);
    expect(reads.json().items.map((r: { usage: { total: string } | null }) => r.usage?.total ?? null)).toEqual([null, '150.25', '150.25']);
  });
});
