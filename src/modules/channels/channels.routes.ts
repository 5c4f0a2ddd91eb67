import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inTransaction } from '../../db/tx.js';
import type { AppDeps } from '../../platform/deps.js';
import { ctxOf, refuseCrossSite, tokenOf } from '../../platform/request.js';
import { AppError } from '../../shared/errors.js';
import { authenticate } from '../org/index.js';
import { orderState } from './domain/orders.js';
import { PAY_TOKEN_SECONDS, verifyPayToken } from './domain/pay-token.js';
import { acknowledged, refusalStatus, type OnlineChannel } from './domain/refusal.js';
import {
  failSchema,
  lookupBody,
  lookupSchema,
  orderBody,
  orderSchema,
  outTradeNoParams,
  payTokenHeaders,
  sandboxSchema,
  securityEventsQuery,
  securityEventsSchema,
  type LookupInput,
  type OrderInput,
  type OutTradeNoParams,
  type SandboxView,
  type SecurityEventsQuery,
} from './channels.types.js';
import { readSecurityLog } from './use-cases/security-log.js';
import { decodeCursor, DEFAULT_LIMIT } from '../../shared/pagination.js';
import { forgetNoncesBefore } from './channels.repository.js';
import { loadChannelKeys, type ChannelKeys } from './use-cases/channel-keys.js';
import { unauthenticatedPayer, type Caller } from './use-cases/caller.js';
import { payLookup } from './use-cases/lookup.js';
import { createPaymentOrder, findVisibleOrder, getPaymentOrder, presentOrder } from './use-cases/payment-orders.js';
import type { ChannelFlows, NotifyResult } from './use-cases/receive-notification.js';
import { sandboxDelivery } from './use-cases/sandbox.js';

type ByOutTradeNo = { Params: OutTradeNoParams };

/**
 * Online payment channels: payment orders (staff, or the public payment page with a pay token), the
 * channels' signed callbacks (WeChat Pay v3, Alipay RSA2, the grid app's HMAC), and in demo mode the
 * sandbox checkout. The keys are loaded here once (`loadChannelKeys`; demo mode generates them) unless
 * the caller passes them. `flows` comes from `workflows/` (http/app.ts): the callbacks run
 * `flows.receivePayment`.
 */
export async function channelsRoutes(app: FastifyInstance, deps: AppDeps, flows: ChannelFlows, keys: ChannelKeys = loadChannelKeys(deps.config)): Promise<void> {
  const callers = new WeakMap<FastifyRequest, Caller>();

  /**
   * Payment orders answer to a staff session or a pay token (X-Pay-Token). The route is marked public so
   * the app's session hook lets it through, and this hook authenticates instead — before the body is
   * validated, so a caller without either gets 401 whatever they sent.
   */
  const staffOrPayer = async (request: FastifyRequest) => {
    const now = deps.clock.now();
    const payToken = request.headers['x-pay-token'];
    if (payToken !== undefined) {
      const accountId = typeof payToken === 'string' ? verifyPayToken(keys.payTokenSecret, payToken, now) : null;
      if (accountId === null) throw unauthenticatedPayer();
      callers.set(request, { kind: 'payer', accountId, ip: request.ip ?? null });
      return;
    }
    const token = tokenOf(request);
    request.actor = await authenticate(deps.db, token, now);
    request.sessionToken = token ?? null;
    refuseCrossSite(request);
    callers.set(request, { kind: 'staff', ctx: ctxOf(request, deps) });
  };
  const callerOf = (request: FastifyRequest): Caller => {
    const caller = callers.get(request);
    if (!caller) throw new AppError('UNAUTHENTICATED', 'sign in or look the account up first');
    return caller;
  };
  // Orders one pay token may open in its lifetime (the token itself is not stored: counted by its hash here).
  const payTokenOrders = app.createRateLimit({
    max: deps.config.ordersPerPayToken,
    timeWindow: PAY_TOKEN_SECONDS * 1000,
    keyGenerator: (r) => `pay-token:${createHash('sha256').update(String(r.headers['x-pay-token'])).digest('base64url')}`,
  });
  const limitPayToken = async (request: FastifyRequest) => {
    const limit = await payTokenOrders(request);
    if (!limit.isAllowed && limit.isExceeded) throw new AppError('RATE_LIMITED', `this payment page has opened ${limit.max} orders; look the account up again later`, { retryAfterSeconds: limit.ttlInSeconds });
  };
  // a session (bearer) or, for the payment page, the X-Pay-Token header (listed under headers)
  const either: { [scheme: string]: string[] }[] = [{ bearer: [] }, {}];

  app.post<{ Body: LookupInput }>(
    '/pay/lookup',
    {
      config: { public: true, rateLimit: { max: deps.config.lookupRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['payment page'],
        summary: "Public payment page: find an account by its number and the customer's full name → balances, open bills and a pay token (GRANARY_LOOKUP_RATE_LIMIT per minute per address, 10 by default)",
        security: [],
        body: lookupBody,
        response: { 200: lookupSchema },
      },
    },
    async (request) => payLookup(deps.db, keys, request.body, deps.clock.now()),
  );

  app.post<{ Body: OrderInput }>(
    '/payment-orders',
    {
      config: { public: true },
      onRequest: staffOrPayer,
      schema: {
        tags: ['payment orders'],
        summary: 'Open a payment order (staff: an account in your scope; payment page: the X-Pay-Token account); the channel echoes its outTradeNo',
        security: either,
        headers: payTokenHeaders,
        body: orderBody,
        response: { 201: orderSchema },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (caller.kind === 'payer') await limitPayToken(request);
      return reply.code(201).send(await inTransaction(deps.db, (trx) => createPaymentOrder(trx, keys, caller, request.body, deps.clock.now(), { openPerAccount: deps.config.openOrdersPerAccount })));
    },
  );

  app.get<ByOutTradeNo>(
    '/payment-orders/:outTradeNo',
    {
      config: { public: true },
      onRequest: staffOrPayer,
      schema: {
        tags: ['payment orders'],
        summary: 'A payment order: its status and, once paid, the payment and its receipt',
        security: either,
        headers: payTokenHeaders,
        params: outTradeNoParams,
        response: { 200: orderSchema },
      },
    },
    async (request) => getPaymentOrder(deps.db, keys, callerOf(request), request.params.outTradeNo, deps.clock.now()),
  );

  app.get<{ Querystring: SecurityEventsQuery }>(
    '/channels/security-events',
    {
      schema: {
        tags: ['channel callbacks'],
        summary: "The channels' security log for review: refused callbacks and refund notices (never credited), oldest first (company-level roles)",
        querystring: securityEventsQuery,
        response: { 200: securityEventsSchema },
      },
    },
    async (request) => readSecurityLog(deps.db, ctxOf(request, deps), { ...request.query, afterId: decodeCursor(request.query.cursor), limit: request.query.limit ?? DEFAULT_LIMIT }),
  );

  await app.register(async (notify) => {
    // Signatures are over the body's exact bytes: here every body is kept as the string received.
    notify.removeAllContentTypeParsers();
    notify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    const deliveryOf = (request: FastifyRequest) => ({ headers: request.headers, rawBody: typeof request.body === 'string' ? request.body : '', remoteAddr: request.ip ?? null });
    const logRefusal = (request: FastifyRequest, channel: OnlineChannel, result: NotifyResult) => {
      if (!result.ok) request.log.warn({ channel, kind: result.refusal.kind, reason: result.refusal.reason, detail: result.refusal.detail }, 'channel callback refused');
    };
    const unconfigured = (request: FastifyRequest, channel: OnlineChannel) => request.log.warn({ channel }, 'callback for a channel that is not configured');
    const doc = (summary: string, response: Record<string, unknown> = {}) => ({ config: { public: true }, schema: { tags: ['channel callbacks'], summary, security: [], response } });

    notify.post('/channels/wechatpay/notify', doc('WeChat Pay API v3 payment notification (signed, AEAD_AES_256_GCM resource): 204, or 4xx {code:"FAIL"}', { '4xx': failSchema, 503: failSchema }), async (request, reply) => {
      if (!keys.wechatpay) {
        unconfigured(request, 'wechatpay');
        return reply.code(503).send({ code: 'FAIL', message: 'wechatpay is not configured' });
      }
      const result = await flows.receivePayment(deps.db, keys, 'wechatpay', deliveryOf(request), deps.clock.now());
      logRefusal(request, 'wechatpay', result);
      if (result.ok || acknowledged(result.refusal.kind)) return reply.code(204).send();
      return reply.code(refusalStatus(result.refusal.kind)).send({ code: 'FAIL', message: `${result.refusal.kind}: ${result.refusal.reason}` });
    });

    notify.post('/channels/alipay/notify', doc('Alipay asynchronous notification (form, RSA2 only): the text "success", or "fail"'), async (request, reply) => {
      reply.type('text/plain; charset=utf-8');
      if (!keys.alipay) {
        unconfigured(request, 'alipay');
        return reply.code(503).send('fail');
      }
      const result = await flows.receivePayment(deps.db, keys, 'alipay', deliveryOf(request), deps.clock.now());
      logRefusal(request, 'alipay', result);
      return result.ok || acknowledged(result.refusal.kind) ? reply.code(200).send('success') : reply.code(refusalStatus(result.refusal.kind)).send('fail');
    });

    notify.post(
      '/channels/gridapp/notify',
      doc('Grid app (网上国网) payment callback (HMAC-SHA256 signed JSON, see the channels README): {code:"SUCCESS"}, or 4xx {code:"FAIL"}', { 200: failSchema, '4xx': failSchema, 503: failSchema }),
      async (request, reply) => {
        if (!keys.gridapp) {
          unconfigured(request, 'gridapp');
          return reply.code(503).send({ code: 'FAIL', message: 'gridapp is not configured' });
        }
        const result = await flows.receivePayment(deps.db, keys, 'gridapp', deliveryOf(request), deps.clock.now());
        logRefusal(request, 'gridapp', result);
        if (result.ok) return reply.code(200).send({ code: 'SUCCESS', message: result.status });
        return reply.code(refusalStatus(result.refusal.kind)).send({ code: 'FAIL', message: `${result.refusal.kind}: ${result.refusal.reason}` });
      },
    );
  });

  if (keys.demo) registerSandbox(app, deps, keys, staffOrPayer, callerOf);

  // Nonces older than the timestamp window can never be replayed (the window refuses them first).
  const prune = setInterval(() => {
    forgetNoncesBefore(deps.db, new Date(deps.clock.now().getTime() - 3600_000)).catch((err: unknown) => app.log.warn({ err }, 'pruning channel nonces failed'));
  }, 10 * 60_000);
  prune.unref();
  app.addHook('onClose', async () => clearInterval(prune));
}

/** Demo mode only: the sandbox checkout signs the notification as the channel would and delivers it to our notify route. */
function registerSandbox(app: FastifyInstance, deps: AppDeps, keys: ChannelKeys, auth: (r: FastifyRequest) => Promise<void>, callerOf: (r: FastifyRequest) => Caller): void {
  const merchantOf = (channel: string) => (channel === 'wechatpay' ? `微信支付沙箱 商户号 ${keys.wechatpay?.mchid}` : channel === 'alipay' ? `支付宝沙箱 ${keys.alipay?.sellerId}` : '网上国网沙箱');
  const opts = (summary: string) => ({ config: { public: true }, onRequest: auth, schema: { tags: ['sandbox'], summary, security: [{ bearer: [] }, {}] as { [scheme: string]: string[] }[], headers: payTokenHeaders, params: outTradeNoParams, response: { 200: sandboxSchema } } });

  app.get<ByOutTradeNo>('/sandbox/orders/:outTradeNo', opts('Demo sandbox checkout: the order to pay'), async (request): Promise<SandboxView> => {
    const order = await getPaymentOrder(deps.db, keys, callerOf(request), request.params.outTradeNo, deps.clock.now());
    return { order, merchant: merchantOf(order.channel), delivery: null };
  });

  app.post<ByOutTradeNo>(
    '/sandbox/orders/:outTradeNo/pay',
    opts('Demo sandbox checkout: pay the order — the channel notification is signed with the demo channel keys and delivered to our own notify route'),
    async (request: FastifyRequest<ByOutTradeNo>, _reply: FastifyReply): Promise<SandboxView> => {
      const caller = callerOf(request);
      const now = deps.clock.now();
      const order = await findVisibleOrder(deps.db, caller, request.params.outTradeNo);
      const state = orderState(order, now);
      if (state === 'paid') return { order: await presentOrder(deps.db, keys, order, now), merchant: merchantOf(order.channel), delivery: null };
      if (state !== 'open') throw new AppError('VALIDATION', `the order is ${state}: open a new one`, { errors: [{ field: 'outTradeNo', message: state }] });
      const d = sandboxDelivery(keys, order, now);
      const res = await app.inject({ method: 'POST', url: `${app.prefix}/channels/${d.channel}/notify`, headers: d.headers, payload: d.body });
      return {
        order: await getPaymentOrder(deps.db, keys, caller, order.out_trade_no, deps.clock.now()),
        merchant: merchantOf(order.channel),
        delivery: { channel: d.channel, statusCode: res.statusCode, answer: res.body.slice(0, 500) },
      };
    },
  );
}
