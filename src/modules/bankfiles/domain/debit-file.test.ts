import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors.js';
import { yuanOf } from '../../../shared/money.js';
import { bankChannelTxnId, checkLine, columnIndexOf, DEBIT_FILE_COLUMNS, paidAtOf, parseDebitDate, RecordSplitter, splitRecord, type ColumnIndex } from './debit-file.js';
import { EncodingSniffer } from './encoding.js';
import { csvCell } from '../../../shared/csv.js';
import { resultLine, RESULT_HEADER } from './result-file.js';

const cols: ColumnIndex = columnIndexOf([...DEBIT_FILE_COLUMNS]);
const TODAY = '2026-11-20';
const check = (record: string, lineNo = 1) => checkLine(record, lineNo, cols, TODAY);

describe('header', () => {
  it('maps the layout’s columns, in any order, with a BOM, in either case or by their Chinese names', () => {
    expect(cols).toEqual({ bank_txn_id: 0, account_no: 1, amount: 2, debit_date: 3, status: 4, bank_message: 5, count: 6 });
    expect(columnIndexOf(['\uFEFFSTATUS', 'amount', ' bank_txn_id ', 'account_no', 'debit_date', 'bank_message']).status).toBe(0);
    expect(columnIndexOf(['银行流水号', '户号', '扣款金额', '扣款日期', '状态', '失败原因'])).toEqual(cols);
  });

  it('refuses a file whose header is not the layout, naming each problem', () => {
    try {
      columnIndexOf(['bank_txn_id', 'account', 'amount', 'amount', 'status']);
      expect.fail('accepted a wrong header');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.code).toBe('VALIDATION');
      expect(e.details.errors!.map((x) => x.message)).toEqual([
        'unknown column "account"',
        'column amount appears twice',
        'column account_no is missing',
        'column debit_date is missing',
        'column bank_message is missing',
      ]);
    }
  });
});

describe('records', () => {
  const split = (chunks: string[]) => {
    const s = new RecordSplitter();
    const out: string[] = [];
    for (const c of chunks) s.push(c, out);
    return s.end(out);
  };

  it('cuts at line ends (LF or CRLF), skips blank lines, keeps a quoted line break inside its field', () => {
    expect(split(['a,b\r\nc,d\n\n  \r\ne,"f\r\ng"\nh'])).toEqual(['a,b', 'c,d', 'e,"f\r\ng"', 'h']);
  });

  it('gives the same records however the text is chunked', () => {
    const text = 'h1,h2\nA1,"x,\n""y"""\r\n\nB1,z\r\nC1,"open\n';
    const whole = split([text]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 6 }), (cuts) => {
        const at = [0, ...[...cuts].sort((a, b) => a - b), text.length];
        const chunks = at.slice(1).map((end, i) => text.slice(at[i], end));
        expect(split(chunks)).toEqual(whole);
      }),
    );
    expect(whole).toEqual(['h1,h2', 'A1,"x,\n""y"""', 'B1,z', 'C1,"open\n']);
  });

  it('splits fields with RFC 4180 quoting and refuses malformed quotes', () => {
    expect(splitRecord('a,,b')).toEqual(['a', '', 'b']);
    expect(splitRecord('"a,b","say ""hi""",c')).toEqual(['a,b', 'say "hi"', 'c']);
    expect(splitRecord('"a" ,b')).toEqual(['a', 'b']);
    expect(splitRecord('a,"b')).toBeNull();
    expect(splitRecord('a,b"c')).toBeNull();
    expect(splitRecord('"a"x,b')).toBeNull();
  });

  it('reads back what csvCell writes (a formula with its apostrophe)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (values) => {
        const formula = (v: string) => /^[=+\-@\t\r]/.test(v) && !/^[+-]?[0-9]+(\.[0-9]+)?$/.test(v);
        expect(splitRecord(values.map(csvCell).join(','))).toEqual(values.map((v) => (formula(v) ? `'${v}` : v)));
      }),
    );
  });
});

describe('checkLine', () => {
  it('reads a debited line: trimmed fields, exact fen, the date in either form', () => {
    expect(check(' ICBC001 , 0000012345 , 128.4 ,20261120, s ,')).toEqual({
      lineNo: 1,
      txnId: 'ICBC001',
      accountNo: '0000012345',
      amountFen: 12840,
      debitDate: '2026-11-20',
      status: 'S',
      message: null,
      reason: null,
      detail: null,
    });
  });

  it('records a failed debit with the bank’s message, keeping what it read', () => {
    expect(check('T2,0000012346,56.00,2026-11-20,F,"余额不足, 账户冻结"')).toMatchObject({ reason: 'bank_failed', detail: '余额不足, 账户冻结', amountFen: 5600, txnId: 'T2', status: 'F' });
  });

  it('names the first thing wrong with a line', () => {
    const cases: [string, string, string | null][] = [
      ['T1,A1,1.00,2026-11-20,S', 'bad_line', '5 fields, the header has 6'],
      ['T1,A1,1.00,2026-11-20,S,,', 'bad_line', '7 fields, the header has 6'],
      ['T1,"A1,1.00,2026-11-20,S,', 'bad_line', 'unbalanced quotes'],
      ['T1,A\u00001,1.00,2026-11-20,S,', 'bad_line', 'NUL character'],
      ['T1,A1,1.00,2026-11-20,OK,', 'bad_status', '"OK"'],
      ['T1,A1,1.00,2026-11-20,,', 'bad_status', '""'],
      [',A1,1.00,2026-11-20,S,', 'missing_txn_id', null],
      ['T 1,A1,1.00,2026-11-20,S,', 'bad_txn_id', '"T 1"'],
      ['流水1,A1,1.00,2026-11-20,S,', 'bad_txn_id', '"流水1"'],
      [`${'X'.repeat(65)},A1,1.00,2026-11-20,S,`, 'bad_txn_id', JSON.stringify('X'.repeat(65))],
      ['T1,,1.00,2026-11-20,S,', 'missing_account_no', null],
      ['T1,A1,1.001,2026-11-20,S,', 'bad_amount', '"1.001"'],
      ['T1,A1,-1.00,2026-11-20,S,', 'bad_amount', '"-1.00"'],
      ['T1,A1,0.00,2026-11-20,S,', 'bad_amount', '"0.00"'],
      ['T1,A1,"1,000.00",2026-11-20,S,', 'bad_amount', '"1,000.00"'],
      ['T1,A1,1e3,2026-11-20,S,', 'bad_amount', '"1e3"'],
      ['T1,A1,,2026-11-20,S,', 'bad_amount', '""'],
      ['T1,A1,1.00,2026-02-30,S,', 'bad_date', '"2026-02-30"'],
      ['T1,A1,1.00,20/11/2026,S,', 'bad_date', '"20/11/2026"'],
      ['T1,A1,1.00,2026-11-21,S,', 'future_date', '2026-11-21'],
    ];
    for (const [record, reason, detail] of cases) expect(check(record), record).toMatchObject({ reason, detail });
  });

  it('reads every amount yuanOf writes back to the same fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999_999 }), (fen) => {
        expect(check(`T,A,${yuanOf(fen)},2026-11-20,S,`).amountFen).toBe(fen);
      }),
    );
  });
});

describe('dates and ids', () => {
  it('parses calendar days only', () => {
    expect(parseDebitDate('2024-02-29')).toBe('2024-02-29');
    expect(parseDebitDate('2024/02/29')).toBe('2024-02-29');
    expect(parseDebitDate('20240229')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2026-13-01', '2026-00-10', '2026-1-5', '2026-11/20', '2026-1120', '1999-12-31', '', '2026-11-20T00:00']) expect(parseDebitDate(bad), bad).toBeNull();
  });

  it('records a debit at noon of its day in Asia/Shanghai', () => {
    expect(paidAtOf('2026-11-20').toISOString()).toBe('2026-11-20T04:00:00.000Z');
  });

  it('prefixes the bank’s transaction id with the bank', () => {
    expect(bankChannelTxnId('ICBC', '0001')).toBe('ICBC:0001');
  });
});

describe('encoding', () => {
  const sniff = (bytes: Buffer, cut: number) => {
    const s = new EncodingSniffer();
    s.push(bytes.subarray(0, cut));
    s.push(bytes.subarray(cut));
    return s.end();
  };
  const text = 'bank_txn_id,account_no,amount,debit_date,status,bank_message\nT1,A1,1.00,2026-11-20,F,余额不足\n';

  it('takes valid UTF-8 as UTF-8 even when a character is cut between chunks', () => {
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) expect(sniff(bytes, cut)).toBe('utf-8');
  });

  it('takes anything else as GB 18030, which decodes it', () => {
    const gb = Buffer.concat([Buffer.from(text.slice(0, text.indexOf('余')), 'ascii'), Buffer.from([0xd3, 0xe0, 0xb6, 0xee, 0xb2, 0xbb, 0xd7, 0xe3]), Buffer.from('\n', 'ascii')]);
    expect(sniff(gb, 30)).toBe('gb18030');
    expect(new TextDecoder('gb18030').decode(gb)).toBe(text);
  });
});

describe('result file', () => {
  it('writes one line per input line, quoting where needed', () => {
    expect(RESULT_HEADER).toBe('line_no,bank_txn_id,account_no,amount,result,reason,payment_id\n');
    expect(resultLine({ lineNo: 1, txnId: 'T1', accountNo: '0001', amountFen: 12840, accepted: true, reason: null, paymentId: 9 })).toBe('1,T1,0001,128.40,accepted,,9\n');
    expect(resultLine({ lineNo: 2, txnId: null, accountNo: null, amountFen: null, accepted: false, reason: 'bank_failed: 余额不足, 冻结', paymentId: null })).toBe('2,,,,rejected,"bank_failed: 余额不足, 冻结",\n');
  });
});
