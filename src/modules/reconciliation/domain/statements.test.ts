import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { ALIPAY_HEADER, decodeStatement, parseStatement, WECHATPAY_HEADER, WECHATPAY_SUMMARY_HEADER } from './statements.js';

/** A GBK encoder built from the platform's GB 18030 decoder: every two-byte GBK code, decoded, gives its character. */
function gbkEncoder(): (text: string) => Buffer {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, [number, number]>();
  for (let lead = 0x81; lead <= 0xfe; lead++)
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = decoder.decode(Uint8Array.of(lead, trail));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  return (text) => {
    const bytes: number[] = [];
    for (const ch of text) {
      const code = ch.codePointAt(0)!;
      if (code < 0x80) bytes.push(code);
      else {
        const pair = table.get(ch);
        if (!pair) throw new Error(`no GBK code for ${ch}`);
        bytes.push(...pair);
      }
    }
    return Buffer.from(bytes);
  };
}

const tick = (cells: string[]) => cells.map((c) => `\`${c}`).join(',');

/** One WeChat detail row in the header's column order. */
function wechatRow(r: { time: string; txn: string; out: string; status: string; settle: string; refund?: string; order?: string }): string {
  return tick([
    r.time, 'wx2421b1c4370ec43b', '1900000109', '0', '', r.txn, r.out, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'JSAPI', r.status, 'CMC', 'CNY',
    r.settle, '0.00', r.refund ? '50000000012026100500000001' : '0', r.refund ? 'R1' : '0', r.refund ?? '0.00', '0.00', r.refund ? 'ORIGINAL' : '', r.refund ? 'SUCCESS' : '',
    '电费', '', '0.00', '0.60%', r.order ?? r.settle, r.refund ?? '0.00', '',
  ]);
}

function wechatBill(rows: string[], declared = rows.length): Buffer {
  const summary = tick([String(declared), '350.00', '50.00', '0.00', '0.00', '350.00', '50.00']);
  return Buffer.from([WECHATPAY_HEADER, ...rows, WECHATPAY_SUMMARY_HEADER, summary].join('\r\n') + '\r\n', 'utf8');
}

function problemsOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION');
    return (err as AppError).details.errors ?? [];
  }
  throw new Error('expected a 422');
}

describe('WeChat Pay trade bill', () => {
  const rows = [
    wechatRow({ time: '2026-10-05 09:12:01', txn: '4200001234202610050000000001', out: 'GR20261005000001', status: 'SUCCESS', settle: '100.00' }),
    wechatRow({ time: '2026-10-05 23:59:59', txn: '4200001234202610050000000002', out: 'GR20261005000002', status: 'SUCCESS', settle: '250.00' }),
    wechatRow({ time: '2026-10-05 10:00:00', txn: '4200001234202610050000000001', out: 'GR20261005000001', status: 'REFUND', settle: '0.00', refund: '50.00', order: '100.00' }),
  ];

  it('reads the successful trades, counts refunds, strips the backticks', () => {
    const s = parseStatement('wechatpay', wechatBill(rows));
    expect(s.rows).toEqual([
      { line: 2, channelTxnId: '4200001234202610050000000001', outTradeNo: 'GR20261005000001', accountNo: null, amountFen: 10000, paidAt: new Date('2026-10-05T01:12:01Z'), businessDate: '2026-10-05' },
      { line: 3, channelTxnId: '4200001234202610050000000002', outTradeNo: 'GR20261005000002', accountNo: null, amountFen: 25000, paidAt: new Date('2026-10-05T15:59:59Z'), businessDate: '2026-10-05' },
    ]);
    expect(s.refunds).toEqual({ count: 1, fen: 5000 });
    expect(s.skipped).toBe(0);
  });

  it('takes 订单金额 (what the customer was charged), not 应结订单金额 after a coupon', () => {
    const s = parseStatement('wechatpay', wechatBill([wechatRow({ time: '2026-10-05 09:12:01', txn: '4200000000000000000000000009', out: 'GR9', status: 'SUCCESS', settle: '95.00', order: '100.00' })]));
    expect(s.rows[0]!.amountFen).toBe(10000);
  });

  it('reads columns by name, in any order', () => {
    const header = '交易状态,商户订单号,微信订单号,订单金额,交易时间,应结订单金额';
    const body = [header, tick(['SUCCESS', 'GR1', '4200000000000000000000000001', '0.29', '2026-10-05 00:00:00', '0.29']), '总交易单数,应结订单总金额', tick(['1', '0.29'])].join('\n');
    const s = parseStatement('wechatpay', Buffer.from(body));
    expect(s.rows[0]).toMatchObject({ channelTxnId: '4200000000000000000000000001', amountFen: 29, businessDate: '2026-10-05' });
  });

  it('names the row and column of every bad value, and refuses the whole file', () => {
    const bad = [
      rows[0]!,
      wechatRow({ time: '2026-10-05 25:00:00', txn: '4200001234202610050000000003', out: 'GR3', status: 'SUCCESS', settle: '1.005' }),
      wechatRow({ time: '2026-10-05 09:00:00', txn: '', out: 'GR4', status: 'SUCCESS', settle: '-3.00' }),
      wechatRow({ time: '2026-10-05 09:00:00', txn: '4200001234202610050000000001', out: 'GR5', status: 'SUCCESS', settle: '3.00' }),
    ];
    const errors = problemsOf(() => parseStatement('wechatpay', wechatBill(bad)));
    expect(errors).toEqual([
      { field: 'row 3, 交易时间', message: expect.stringMatching(/not a time/) },
      { field: 'row 3, 订单金额', message: expect.stringMatching(/not an amount in 元/) },
      { field: 'row 4, 微信订单号', message: 'is empty' },
      { field: 'row 4, 订单金额', message: expect.stringMatching(/not an amount/) },
      { field: 'row 5, 微信订单号', message: '4200001234202610050000000001 is already on line 2' },
    ]);
  });

  it('refuses a cut-off file (no summary, or a summary counting other rows)', () => {
    const noSummary = Buffer.from([WECHATPAY_HEADER, ...rows].join('\n'));
    expect(problemsOf(() => parseStatement('wechatpay', noSummary))[0]!.message).toMatch(/summary .* missing/);
    expect(problemsOf(() => parseStatement('wechatpay', wechatBill(rows, 4)))).toEqual([{ field: 'row 6, 总交易单数', message: 'says "4", the file has 3 detail rows' }]);
  });

  it('refuses a file that is not a trade bill, and an empty one', () => {
    expect(problemsOf(() => parseStatement('wechatpay', Buffer.from('a,b,c\n1,2,3\n')))[0]!.field).toBe('file');
    expect(problemsOf(() => parseStatement('wechatpay', Buffer.alloc(0)))[0]).toEqual({ field: 'file', message: 'the upload is empty' });
  });
});

describe('Alipay statement', () => {
  const cells = (r: { trade: string; out: string; kind: string; done: string; amount: string }) =>
    [r.trade, r.out, r.kind, '电费', r.done, r.done, '', '', '', '', 'buyer@example.com', r.amount, r.amount, '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', '', '0.60', '0.00', ''].map((c) => `${c}\t`).join(',');
  const text = [
    '#支付宝业务明细查询',
    '#账号：[20880000000000000156]',
    '#起始日期：[2026年10月05日 00:00:00]   终止日期：[2026年10月06日 00:00:00]',
    '#-----------------------------------------业务明细列表----------------------------------------',
    ALIPAY_HEADER,
    cells({ trade: '2026100522001400000000000001', out: 'GR20261005000101', kind: '交易', done: '2026-10-05 08:30:00', amount: '88.80' }),
    cells({ trade: '2026100522001400000000000002', out: 'GR20261005000102', kind: '交易', done: '2026-10-05 20:00:00', amount: '1200.00' }),
    cells({ trade: '2026100522001400000000000001', out: 'GR20261005000101', kind: '退款', done: '2026-10-05 21:00:00', amount: '-8.80' }),
    '#-----------------------------------------业务明细列表结束------------------------------------',
    '#交易合计：2笔，商家实收共1288.80元',
    '#退款合计：1笔，商家实收共-8.80元',
    '#导出时间：[2026年10月06日 09:00:00]',
  ].join('\r\n');

  it('reads a GBK file as Alipay writes it', () => {
    const gbk = gbkEncoder()(text);
    // hand-checked: 支付宝 is D6 A7 B8 B6 B1 A6 in GBK, and the file is not UTF-8
    expect(gbkEncoder()('支付宝')).toEqual(Buffer.from([0xd6, 0xa7, 0xb8, 0xb6, 0xb1, 0xa6]));
    expect(gbk.includes(Buffer.from('支付宝', 'utf8'))).toBe(false);
    const s = parseStatement('alipay', gbk);
    expect(s.rows).toEqual([
      { line: 6, channelTxnId: '2026100522001400000000000001', outTradeNo: 'GR20261005000101', accountNo: null, amountFen: 8880, paidAt: new Date('2026-10-05T00:30:00Z'), businessDate: '2026-10-05' },
      { line: 7, channelTxnId: '2026100522001400000000000002', outTradeNo: 'GR20261005000102', accountNo: null, amountFen: 120000, paidAt: new Date('2026-10-05T12:00:00Z'), businessDate: '2026-10-05' },
    ]);
    expect(s.refunds).toEqual({ count: 1, fen: 880 });
  });

  it('reads the same file as UTF-8, with or without a BOM', () => {
    const plain = parseStatement('alipay', Buffer.from(text, 'utf8'));
    const bom = parseStatement('alipay', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(bom).toEqual(plain);
    expect(plain.rows).toHaveLength(2);
    expect(decodeStatement(Buffer.from('\ufeff支付宝', 'utf8'))).toBe('支付宝');
  });

  it('names the row and column of a bad amount', () => {
    const bad = text.replace(/1200\.00\t/g, '12O0.00\t');
    expect(problemsOf(() => parseStatement('alipay', Buffer.from(bad)))).toEqual([{ field: 'row 7, 订单金额（元）', message: 'not an amount in 元 with at most two decimals: "12O0.00"' }]);
  });
});

describe('bank statement', () => {
  it('reads the Chinese and the English header, success lines only', () => {
    const zh = '交易日期,交易流水号,户号,金额,状态\n2026-10-05,B0001,0100000001,76.63,成功\n20261005,B0002,0100000002,10.00,失败\n';
    const en = 'date,bank_txn_id,account_no,amount,status\n2026-10-05,B0001,0100000001,76.63,success\n2026-10-05,B0002,0100000002,10.00,failed\n';
    for (const body of [zh, en]) {
      const s = parseStatement('bank', Buffer.from(body));
      expect(s.rows).toEqual([{ line: 2, channelTxnId: 'B0001', outTradeNo: null, accountNo: '0100000001', amountFen: 7663, paidAt: new Date('2026-10-05T04:00:00Z'), businessDate: '2026-10-05' }]);
      expect(s.skipped).toBe(1);
    }
  });

  it('reads the bank debit result file layout as it is', () => {
    const body = 'bank_txn_id,account_no,amount,debit_date,status,bank_message\nICBC1,0100000001,128.40,2026/11/20,S,\nICBC2,0100000002,56.00,2026-11-20,F,余额不足\n';
    const s = parseStatement('bank', Buffer.from(body));
    expect(s.rows).toEqual([{ line: 2, channelTxnId: 'ICBC1', outTradeNo: null, accountNo: '0100000001', amountFen: 12840, paidAt: new Date('2026-11-20T04:00:00Z'), businessDate: '2026-11-20' }]);
    expect(s.skipped).toBe(1);
  });

  it('refuses bad dates, statuses and amounts by row and column', () => {
    const body = '交易日期,交易流水号,户号,金额,状态\n2026-02-30,B1,01,1.00,成功\n2026-10-05,B2,02,1.00,处理中\n2026-10-05,B3,03,abc,成功\n';
    expect(problemsOf(() => parseStatement('bank', Buffer.from(body))).map((e) => e.field)).toEqual(['row 2, 交易日期', 'row 3, 状态', 'row 4, 金额']);
  });
});

describe('grid app statement', () => {
  it('reads fen amounts and ISO times', () => {
    const body = 'txnId,outTradeNo,amountFen,paidAt,status\nGA1,GR1,7663,2026-10-05T23:30:00+08:00,SUCCESS\nGA2,GR2,100,2026-10-05T10:00:00+08:00,REFUND\nGA3,GR3,5,2026-10-05T10:00:00+08:00,CLOSED\n';
    const s = parseStatement('gridapp', Buffer.from(body));
    expect(s.rows).toEqual([{ line: 2, channelTxnId: 'GA1', outTradeNo: 'GR1', accountNo: null, amountFen: 7663, paidAt: new Date('2026-10-05T15:30:00Z'), businessDate: '2026-10-05' }]);
    expect(s.refunds).toEqual({ count: 1, fen: 100 });
    expect(s.skipped).toBe(1);
  });

  it('refuses yuan amounts and times without an offset', () => {
    const body = 'txnId,outTradeNo,amountFen,paidAt,status\nGA1,GR1,76.63,2026-10-05T23:30:00+08:00,SUCCESS\nGA2,GR2,100,2026-10-05 10:00:00,SUCCESS\n';
    expect(problemsOf(() => parseStatement('gridapp', Buffer.from(body))).map((e) => e.field)).toEqual(['row 2, amountFen', 'row 3, paidAt']);
  });

  it('refuses a header without its columns, naming them', () => {
    expect(problemsOf(() => parseStatement('gridapp', Buffer.from('txnId,amount\n')))).toEqual([
      { field: 'header, outTradeNo', message: 'column missing' },
      { field: 'header, amountFen', message: 'column missing' },
      { field: 'header, paidAt', message: 'column missing' },
      { field: 'header, status', message: 'column missing' },
    ]);
  });
});

describe('CSV reading', () => {
  it('keeps quoted commas, doubled quotes and line breaks, and stray quotes inside a field', () => {
    const body = 'txnId,outTradeNo,amountFen,paidAt,status\n"GA1","GR""1",100,2026-10-05T10:00:00+08:00,SUCCESS\nGA2,GR"2,"1\n00",2026-10-05T10:00:00+08:00,SUCCESS\n';
    const errors = problemsOf(() => parseStatement('gridapp', Buffer.from(body)));
    // line 3's amount is "1\n00" (a quoted line break): refused by name, on the line the record starts
    expect(errors).toEqual([{ field: 'row 3, amountFen', message: 'not a whole number of fen above 0: "1\\n00"' }]);
    const ok = parseStatement('gridapp', Buffer.from('txnId,outTradeNo,amountFen,paidAt,status\n"GA1","GR""1",100,2026-10-05T10:00:00+08:00,SUCCESS\n'));
    expect(ok.rows[0]).toMatchObject({ channelTxnId: 'GA1', outTradeNo: 'GR"1' });
  });

  it('refuses a quoted field never closed', () => {
    expect(problemsOf(() => parseStatement('gridapp', Buffer.from('txnId,outTradeNo,amountFen,paidAt,status\n"GA1,GR1,100\n')))).toEqual([{ field: 'file', message: 'line 2: a quoted field is never closed' }]);
  });
});
