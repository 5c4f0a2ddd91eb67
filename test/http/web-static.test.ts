import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { systemClock } from '../../src/shared/clock.js';
import { createTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let app: Awaited<ReturnType<typeof buildApp>>;
const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'granary-web-'));

beforeAll(async () => {
  fs.mkdirSync(path.join(webDir, 'assets'));
  fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Granary</title>');
  fs.writeFileSync(path.join(webDir, 'assets', 'app-1.js'), 'console.log(1)');
  handle = await createTestDatabase();
  app = await buildApp({ db: handle.db, pool: handle.pool, config: loadConfig({ LOG_LEVEL: 'silent' }), clock: systemClock, webDir });
});
afterAll(async () => {
  await app?.close();
  await handle?.close();
  fs.rmSync(webDir, { recursive: true, force: true });
});

describe('serving the web UI', () => {
  it('serves index.html at / and for client-side routes', async () => {
    for (const url of ['/', '/customers', '/accounts/12?x=1']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('<title>Granary</title>');
    }
  });

  it('serves assets, including ones built after start-up', async () => {
    expect((await app.inject({ url: '/assets/app-1.js' })).headers['content-type']).toMatch(/javascript/);
    fs.writeFileSync(path.join(webDir, 'assets', 'app-2.js'), 'console.log(2)');
    const late = await app.inject({ url: '/assets/app-2.js' });
    expect(late.statusCode).toBe(200);
    expect(late.body).toBe('console.log(2)');
  });

  it('answers a missing asset with 404, not with the page', async () => {
    const res = await app.inject({ url: '/assets/missing.js' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
