import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import type { Config } from '../../../config.js';
import type { AlipayMerchant } from '../domain/alipay.js';
import type { OnlineChannel } from '../domain/refusal.js';
import type { WechatpayMerchant } from '../domain/wechatpay.js';

/**
 * The keys and merchant ids of the online channels, loaded once at start. A channel is configured when
 * all of its settings are given (some but not all is a start-up error naming the missing ones); one not
 * configured answers 503 on its notify route and takes no orders. In demo mode a channel not configured
 * uses keys Granary generates once under `<GRANARY_HOME>/channel-keys/` (files 0600) — with their private
 * halves, which only the demo sandbox uses, to sign callbacks exactly as the channel would.
 */
export interface ChannelKeys {
  demo: boolean;
  wechatpay: (WechatpayMerchant & { platformPrivateKey: KeyObject | null }) | null;
  alipay: (AlipayMerchant & { privateKey: KeyObject | null }) | null;
  gridapp: { secret: Buffer } | null;
  payTokenSecret: Buffer;
  orderMinutes: number;
  /** where the demo keys are (demo mode only) */
  demoDir: string | null;
}

/** The merchant ids the demo uses for the channels it signs for itself. */
export const DEMO_MERCHANT = { wechatpayMchid: '1900000001', wechatpayAppid: 'wxd0000000granary', alipayAppId: '2021000000000001', alipaySellerId: '2088000000000001' } as const;

export function configuredChannels(keys: ChannelKeys): OnlineChannel[] {
  return (['wechatpay', 'alipay', 'gridapp'] as const).filter((c) => keys[c] !== null);
}

/** What `configuredChannels` says for one channel, and whether the sandbox can sign for it. */
export function canSandboxSign(keys: ChannelKeys, channel: OnlineChannel): boolean {
  if (!keys.demo) return false;
  if (channel === 'wechatpay') return !!keys.wechatpay?.platformPrivateKey;
  if (channel === 'alipay') return !!keys.alipay?.privateKey;
  return !!keys.gridapp;
}

export function loadChannelKeys(config: Config): ChannelKeys {
  const s = config.channels;
  const demoDir = config.demo ? path.join(config.home, 'channel-keys') : null;
  const demo = demoDir ? new DemoKeys(demoDir) : null;

  const w = s.wechatpay;
  let wechatpay: ChannelKeys['wechatpay'] = null;
  if (complete('GRANARY_WECHATPAY', { MCHID: w.mchid, APPID: w.appid, APIV3_KEY: w.apiV3Key, PLATFORM_SERIAL: w.platformSerial, PLATFORM_PUBLIC_KEY_FILE: w.platformPublicKeyFile })) {
    const apiV3Key = Buffer.from(w.apiV3Key!, 'utf8');
    if (apiV3Key.length !== 32) throw new Error(`GRANARY_WECHATPAY_APIV3_KEY must be 32 bytes (the APIv3 key as WeChat Pay shows it), got ${apiV3Key.length}`);
    wechatpay = { mchid: w.mchid!, appid: w.appid!, apiV3Key, platformSerial: w.platformSerial!, platformPublicKey: readPublicKey(w.platformPublicKeyFile!, 'GRANARY_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE'), platformPrivateKey: null };
  } else if (demo) {
    const platformPrivateKey = demo.rsaKey('wechatpay-platform');
    wechatpay = {
      mchid: DEMO_MERCHANT.wechatpayMchid,
      appid: DEMO_MERCHANT.wechatpayAppid,
      apiV3Key: Buffer.from(demo.secret('wechatpay-apiv3.key', () => randomBytes(16).toString('hex')), 'utf8'),
      platformSerial: demo.secret('wechatpay-platform-serial', () => randomBytes(20).toString('hex').toUpperCase()),
      platformPublicKey: createPublicKey(platformPrivateKey),
      platformPrivateKey,
    };
  }

  const a = s.alipay;
  let alipay: ChannelKeys['alipay'] = null;
  if (complete('GRANARY_ALIPAY', { APP_ID: a.appId, SELLER_ID: a.sellerId, PUBLIC_KEY_FILE: a.publicKeyFile })) {
    alipay = { appId: a.appId!, sellerId: a.sellerId!, publicKey: readPublicKey(a.publicKeyFile!, 'GRANARY_ALIPAY_PUBLIC_KEY_FILE'), privateKey: null };
  } else if (demo) {
    const privateKey = demo.rsaKey('alipay');
    alipay = { appId: DEMO_MERCHANT.alipayAppId, sellerId: DEMO_MERCHANT.alipaySellerId, publicKey: createPublicKey(privateKey), privateKey };
  }

  const gridSecret = s.gridappSecret ?? demo?.secret('gridapp.secret', () => randomBytes(32).toString('hex'));
  const paySecret = s.payTokenSecret ?? demo?.secret('pay-token.secret', () => randomBytes(32).toString('hex'));
  return {
    demo: config.demo,
    wechatpay,
    alipay,
    gridapp: gridSecret ? { secret: Buffer.from(gridSecret, 'utf8') } : null,
    // without a setting outside demo mode: a secret of this process (tokens last minutes; set
    // GRANARY_PAY_TOKEN_SECRET when several processes serve the payment page)
    payTokenSecret: paySecret ? Buffer.from(paySecret, 'utf8') : randomBytes(32),
    orderMinutes: s.orderMinutes,
    demoDir,
  };
}

/** True when every setting is given, false when none is; some but not all is an error naming the missing ones. */
function complete(prefix: string, settings: Record<string, string | undefined>): boolean {
  const missing = Object.entries(settings)
    .filter(([, v]) => v === undefined)
    .map(([k]) => `${prefix}_${k}`);
  if (missing.length === 0) return true;
  if (missing.length === Object.keys(settings).length) return false;
  throw new Error(`${prefix.replace('GRANARY_', '').toLowerCase()} is partly configured: also set ${missing.join(', ')}`);
}

/** A PEM public key or X.509 certificate (WeChat Pay hands out platform certificates or a public key). */
function readPublicKey(file: string, setting: string): KeyObject {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${setting}: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch (err) {
    throw new Error(`${setting}: ${file} is not a PEM public key or certificate: ${(err as Error).message}`);
  }
}

/**
 * The demo's generated keys: each file is made once, written to a temporary name and linked into place
 * (link fails if another process got there first, and then its file is used), so concurrent starts agree.
 */
class DemoKeys {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  secret(name: string, make: () => string): string {
    return this.file(name, make).trim();
  }

  /** An RSA 2048 private key (`<name>-private.pem`), with its public half beside it for reference. */
  rsaKey(name: string): KeyObject {
    const pem = this.file(`${name}-private.pem`, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const key = createPrivateKey(pem);
    this.file(`${name}-public.pem`, () => createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
    return key;
  }

  private file(name: string, make: () => string): string {
    const target = path.join(this.dir, name);
    try {
      return fs.readFileSync(target, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, make(), { mode: 0o600 });
    try {
      fs.linkSync(tmp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.unlinkSync(tmp);
    }
    return fs.readFileSync(target, 'utf8');
  }
}
