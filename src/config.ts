import path from 'node:path';
import { z } from 'zod';

/** Every setting Granary reads from the environment, parsed once. Documented in README.md § Settings. */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** An optional text setting; set but empty counts as not set. */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  GRANARY_HOME: z.string().default('./.granary'),
  GRANARY_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  GRANARY_DEMO: bool.default(false),
  GRANARY_DEMO_ACCOUNTS: z.coerce.number().int().min(100).max(10_000_000).default(20_000),
  GRANARY_DEMO_SEED: z.coerce.number().int().default(1),
  GRANARY_ADMIN_PASSWORD: z.string().min(10).optional(),
  GRANARY_SESSION_TTL_MINUTES: z.coerce.number().int().min(1).default(480),
  GRANARY_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).default(5),
  GRANARY_LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15),
  GRANARY_BODY_LIMIT: z.coerce.number().int().min(1024).default(1_048_576),
  GRANARY_RATE_LIMIT: z.coerce.number().int().min(1).default(6000),
  GRANARY_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
  GRANARY_LOOKUP_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  GRANARY_PHONE_SEARCH_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  GRANARY_TRUST_PROXY: z
    .string()
    .default('')
    .refine((v) => v === '' || /^(true|false|[0-9]{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/.test(v.trim()), 'true, false, a hop count, or proxy addresses/CIDRs separated by commas'),
  GRANARY_COOKIE_SECURE: bool.default(false),
  GRANARY_RECON_REVIEW_ABOVE_YUAN: z.coerce.number().int().min(0).max(100_000_000).default(50_000),
  GRANARY_OPEN_ORDERS_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(5),
  GRANARY_ORDERS_PER_PAY_TOKEN: z.coerce.number().int().min(1).max(10_000).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // online payment channels (src/modules/channels); a channel is on when all of its settings are given
  GRANARY_WECHATPAY_MCHID: optionalText,
  GRANARY_WECHATPAY_APPID: optionalText,
  GRANARY_WECHATPAY_APIV3_KEY: optionalText,
  GRANARY_WECHATPAY_PLATFORM_SERIAL: optionalText,
  GRANARY_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: optionalText,
  GRANARY_ALIPAY_APP_ID: optionalText,
  GRANARY_ALIPAY_SELLER_ID: optionalText,
  GRANARY_ALIPAY_PUBLIC_KEY_FILE: optionalText,
  GRANARY_GRIDAPP_SECRET: optionalText.refine((v) => v === undefined || v.length >= 16, 'at least 16 characters'),
  GRANARY_PAY_TOKEN_SECRET: optionalText.refine((v) => v === undefined || v.length >= 16, 'at least 16 characters'),
  GRANARY_PAYMENT_ORDER_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  GRANARY_METRICS_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, 'at least 16 characters'),
  // meters over MQTT (DESIGN §7): unset GRANARY_MQTT_URL → an embedded broker on loopback
  GRANARY_MQTT_URL: optionalText.refine((v) => v === undefined || /^(mqtts?|wss?|tcp):\/\//.test(v), 'an mqtt://, mqtts://, ws:// or wss:// address'),
  GRANARY_MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(18830),
  GRANARY_MQTT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'topic levels of letters, digits, _ and -').default('granary'),
  GRANARY_AMI_SIM: z.enum(['auto', '1', '0', 'true', 'false', 'yes', 'no']).default('auto'),
  GRANARY_FEE_CONTROL_CRON: z.string().default('0 9 * * *'),
  GRANARY_COMMAND_ACK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  GRANARY_COMMAND_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  // notifications (src/modules/notify); SMS goes out when all of the Aliyun settings are given, else it stays in the outbox
  GRANARY_SMS_ALIYUN_ACCESS_KEY_ID: optionalText,
  GRANARY_SMS_ALIYUN_ACCESS_KEY_SECRET: optionalText,
  GRANARY_SMS_ALIYUN_SIGN_NAME: optionalText,
  GRANARY_SMS_ALIYUN_TEMPLATES: optionalText,
  GRANARY_SMS_ALIYUN_ENDPOINT: z.string().url().default('https://dysmsapi.aliyuncs.com/'),
  GRANARY_GRIDAPP_PUSH_URL: optionalText.refine((v) => v === undefined || /^https?:\/\//.test(v), 'an http(s) address'),
  GRANARY_PAY_PAGE_URL: z.string().url().default('http://127.0.0.1:8080/pay'),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  home: string;
  pgPort: number;
  demo: boolean;
  demoAccounts: number;
  demoSeed: number;
  adminPassword: string | undefined;
  sessionTtlMinutes: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  bodyLimit: number;
  rateLimitPerMinute: number;
  /** per client address and minute: logins, payment-page lookups; per user: searches by a full phone number */
  loginRateLimit: number;
  lookupRateLimit: number;
  phoneSearchRateLimit: number;
  /** Fastify's trustProxy: false, true, a hop count, or the proxies' addresses (then X-Forwarded-For names the client) */
  trustProxy: boolean | number | string;
  /** session cookie marked Secure (always when the request came over HTTPS) */
  cookieSecure: boolean;
  /** a reconciliation row crediting more than this (fen) goes to review instead of the ledger */
  reconReviewAboveFen: number;
  openOrdersPerAccount: number;
  /** payment orders one pay token may open in its lifetime */
  ordersPerPayToken: number;
  logLevel: Env['LOG_LEVEL'];
  /** when set, /metrics wants it as a bearer token from every address; unset, /metrics answers loopback only */
  metricsToken: string | undefined;
  channels: ChannelSettings;
  ami: AmiSettings;
  notify: NotifySettings;
}

/** Meters over MQTT and the daily fee-control run (DESIGN §7, RULES §8). */
export interface AmiSettings {
  /** a broker to use; undefined → Granary starts an embedded one on loopback at `embeddedPort` */
  mqttUrl: string | undefined;
  embeddedPort: number;
  topicPrefix: string;
  /** run the simulated head-end beside the server: 'auto' = in demo mode with the embedded broker */
  sim: 'auto' | boolean;
  /** when the daily fee-control run starts (cron, business time zone) */
  feeControlCron: string;
  ackSeconds: number;
  commandAttempts: number;
}

/** Where notifications go; a channel is on when all of its settings are given (src/modules/notify checks). */
export interface NotifySettings {
  aliyun: { accessKeyId?: string | undefined; accessKeySecret?: string | undefined; signName?: string | undefined; templates?: string | undefined; endpoint: string };
  gridappPushUrl?: string | undefined;
  gridappSecret?: string | undefined;
  /** the public payment page a notice links to */
  payPageUrl: string;
}

/** Online payment channel settings as given; src/modules/channels checks they are complete and loads the keys. */
export interface ChannelSettings {
  wechatpay: { mchid?: string | undefined; appid?: string | undefined; apiV3Key?: string | undefined; platformSerial?: string | undefined; platformPublicKeyFile?: string | undefined };
  alipay: { appId?: string | undefined; sellerId?: string | undefined; publicKeyFile?: string | undefined };
  gridappSecret?: string | undefined;
  payTokenSecret?: string | undefined;
  orderMinutes: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid settings in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    home: path.resolve(e.GRANARY_HOME),
    pgPort: e.GRANARY_PG_PORT,
    demo: e.GRANARY_DEMO,
    demoAccounts: e.GRANARY_DEMO_ACCOUNTS,
    demoSeed: e.GRANARY_DEMO_SEED,
    adminPassword: e.GRANARY_ADMIN_PASSWORD,
    sessionTtlMinutes: e.GRANARY_SESSION_TTL_MINUTES,
    lockoutThreshold: e.GRANARY_LOCKOUT_THRESHOLD,
    lockoutMinutes: e.GRANARY_LOCKOUT_MINUTES,
    bodyLimit: e.GRANARY_BODY_LIMIT,
    rateLimitPerMinute: e.GRANARY_RATE_LIMIT,
    loginRateLimit: e.GRANARY_LOGIN_RATE_LIMIT,
    lookupRateLimit: e.GRANARY_LOOKUP_RATE_LIMIT,
    phoneSearchRateLimit: e.GRANARY_PHONE_SEARCH_RATE_LIMIT,
    trustProxy: trustProxyOf(e.GRANARY_TRUST_PROXY),
    cookieSecure: e.GRANARY_COOKIE_SECURE,
    reconReviewAboveFen: e.GRANARY_RECON_REVIEW_ABOVE_YUAN * 100,
    openOrdersPerAccount: e.GRANARY_OPEN_ORDERS_PER_ACCOUNT,
    ordersPerPayToken: e.GRANARY_ORDERS_PER_PAY_TOKEN,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.GRANARY_METRICS_TOKEN,
    channels: {
      wechatpay: {
        mchid: e.GRANARY_WECHATPAY_MCHID,
        appid: e.GRANARY_WECHATPAY_APPID,
        apiV3Key: e.GRANARY_WECHATPAY_APIV3_KEY,
        platformSerial: e.GRANARY_WECHATPAY_PLATFORM_SERIAL,
        platformPublicKeyFile: e.GRANARY_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE,
      },
      alipay: { appId: e.GRANARY_ALIPAY_APP_ID, sellerId: e.GRANARY_ALIPAY_SELLER_ID, publicKeyFile: e.GRANARY_ALIPAY_PUBLIC_KEY_FILE },
      gridappSecret: e.GRANARY_GRIDAPP_SECRET,
      payTokenSecret: e.GRANARY_PAY_TOKEN_SECRET,
      orderMinutes: e.GRANARY_PAYMENT_ORDER_MINUTES,
    },
    ami: {
      mqttUrl: e.GRANARY_MQTT_URL,
      embeddedPort: e.GRANARY_MQTT_PORT,
      topicPrefix: e.GRANARY_MQTT_PREFIX,
      sim: e.GRANARY_AMI_SIM === 'auto' ? 'auto' : ['1', 'true', 'yes'].includes(e.GRANARY_AMI_SIM),
      feeControlCron: e.GRANARY_FEE_CONTROL_CRON,
      ackSeconds: e.GRANARY_COMMAND_ACK_SECONDS,
      commandAttempts: e.GRANARY_COMMAND_ATTEMPTS,
    },
    notify: {
      aliyun: {
        accessKeyId: e.GRANARY_SMS_ALIYUN_ACCESS_KEY_ID,
        accessKeySecret: e.GRANARY_SMS_ALIYUN_ACCESS_KEY_SECRET,
        signName: e.GRANARY_SMS_ALIYUN_SIGN_NAME,
        templates: e.GRANARY_SMS_ALIYUN_TEMPLATES,
        endpoint: e.GRANARY_SMS_ALIYUN_ENDPOINT,
      },
      gridappPushUrl: e.GRANARY_GRIDAPP_PUSH_URL,
      gridappSecret: e.GRANARY_GRIDAPP_SECRET,
      payPageUrl: e.GRANARY_PAY_PAGE_URL,
    },
  };
}

/** GRANARY_TRUST_PROXY as Fastify takes it: '' or false → false, true, a hop count, or a list of addresses. */
function trustProxyOf(v: string): boolean | number | string {
  const t = v.trim();
  if (t === '' || t === 'false') return false;
  if (t === 'true') return true;
  if (/^[0-9]+$/.test(t)) return Number(t);
  return t.split(/\s*,\s*/).join(',');
}
