import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aliyunSignature, aliyunTimestamp, canonicalQuery, parseTemplateMapping, percentEncode, sendSmsOutcome, sendSmsParams, signedForm, stringToSign } from './aliyun-sms.js';

/**
 * The example of Aliyun's SendSms signature documentation (短信服务 · HTTP 协议及签名), also the test vector
 * of the official SDK ports: AccessKey testId / testSecret, GET.
 */
const DOC_PARAMS = {
  AccessKeyId: 'testId',
  Action: 'SendSms',
  Format: 'XML',
  OutId: '123',
  PhoneNumbers: '15300000001',
  RegionId: 'cn-hangzhou',
  SignName: '阿里云短信测试专用',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
  SignatureVersion: '1.0',
  TemplateCode: 'SMS_71390007',
  TemplateParam: '{"customer":"test"}',
  Timestamp: '2017-07-12T02:42:19Z',
  Version: '2017-05-25',
};
const DOC_QUERY =
  'AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou' +
  '&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1' +
  '&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007' +
  '&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25';

describe('Aliyun RPC signature v1 (HMAC-SHA1)', () => {
  it('reproduces the documented example: canonicalized query, string to sign, signature', () => {
    expect(canonicalQuery(DOC_PARAMS)).toBe(DOC_QUERY);
    expect(stringToSign('GET', DOC_PARAMS)).toBe(`GET&%2F&${percentEncode(DOC_QUERY)}`);
    expect(aliyunSignature('testSecret', 'GET', DOC_PARAMS)).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    // in the documented URL: Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D
    expect(percentEncode(aliyunSignature('testSecret', 'GET', DOC_PARAMS))).toBe('zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D');
  });

  it('leaves only A–Z a–z 0–9 - _ . ~ unencoded (space %20, * %2A, ~ kept)', () => {
    expect(percentEncode("a b*c~d!e'f(g)h+i/j")).toBe('a%20b%2Ac~d%21e%27f%28g%29h%2Bi%2Fj');
    expect(percentEncode('-_.~AZaz09')).toBe('-_.~AZaz09');
    expect(percentEncode('户')).toBe('%E6%88%B7');
  });

  it('sorts by name and leaves Signature out', () => {
    expect(canonicalQuery({ b: '2', a: '1', Signature: 'x', B: '3' })).toBe('B=3&a=1&b=2');
  });

  it('signs a POST over the method POST, the form carrying the signature last', () => {
    const params = { ...DOC_PARAMS, Format: 'JSON' };
    const form = signedForm('testSecret', params);
    const fields = new URLSearchParams(form);
    const signature = fields.get('Signature')!;
    const expected = createHmac('sha1', 'testSecret&').update(`POST&%2F&${percentEncode(canonicalQuery(params))}`).digest('base64');
    expect(signature).toBe(expected);
    expect(signature).not.toBe(aliyunSignature('testSecret', 'GET', params));
    expect(Object.fromEntries([...fields].filter(([k]) => k !== 'Signature'))).toEqual(params);
  });

  it('builds SendSms parameters: action, version, signature method, TemplateParam as JSON, a UTC timestamp without fraction', () => {
    const p = sendSmsParams({ accessKeyId: 'id', signName: '颗粒归仓', templateCode: 'SMS_1', phone: '13800000001', templateParam: { accountNo: '8800', amount: '12.30' }, outId: '42', now: new Date('2026-11-20T02:03:04.567Z'), nonce: 'n-1' });
    expect(p).toEqual({
      AccessKeyId: 'id',
      Action: 'SendSms',
      Format: 'JSON',
      OutId: '42',
      PhoneNumbers: '13800000001',
      RegionId: 'cn-hangzhou',
      SignName: '颗粒归仓',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: 'n-1',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_1',
      TemplateParam: '{"accountNo":"8800","amount":"12.30"}',
      Timestamp: '2026-11-20T02:03:04Z',
      Version: '2017-05-25',
    });
    expect(aliyunTimestamp(new Date('2017-07-12T02:42:19Z'))).toBe('2017-07-12T02:42:19Z');
  });
});

describe('SendSms answers', () => {
  it('OK with its BizId is sent; another Code is a failure keeping code and message', () => {
    expect(sendSmsOutcome(200, '{"Message":"OK","RequestId":"R","BizId":"900619746936498440^0","Code":"OK"}')).toEqual({ ok: true, providerMessageId: '900619746936498440^0' });
    expect(sendSmsOutcome(200, '{"Message":"触发号码天级流控Permits:10","RequestId":"R","Code":"isv.BUSINESS_LIMIT_CONTROL"}')).toEqual({
      ok: false,
      error: 'isv.BUSINESS_LIMIT_CONTROL: 触发号码天级流控Permits:10',
      permanent: false,
    });
    expect(sendSmsOutcome(400, '{"Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation."}')).toMatchObject({ ok: false, error: expect.stringContaining('SignatureDoesNotMatch') });
    expect(sendSmsOutcome(200, '{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"非法手机号"}')).toMatchObject({ ok: false, permanent: true });
  });

  it('an answer that is not the provider JSON is a failure to retry', () => {
    expect(sendSmsOutcome(502, '<html>Bad Gateway</html>')).toEqual({ ok: false, error: 'HTTP 502: <html>Bad Gateway</html>', permanent: false });
    expect(sendSmsOutcome(500, '')).toEqual({ ok: false, error: 'HTTP 500: no body', permanent: false });
    expect(sendSmsOutcome(500, '{"Code":"OK"}')).toMatchObject({ ok: false });
  });
});

describe('GRANARY_SMS_ALIYUN_TEMPLATES', () => {
  const all = 'balance_low=SMS_101,days_left=SMS_102,pending_disconnection=SMS_103,disconnected=SMS_104,reconnected=SMS_105';

  it('reads kind=TemplateCode pairs, white space allowed', () => {
    expect(parseTemplateMapping(all)).toEqual({ balance_low: 'SMS_101', days_left: 'SMS_102', pending_disconnection: 'SMS_103', disconnected: 'SMS_104', reconnected: 'SMS_105' });
    expect(parseTemplateMapping(` ${all.replaceAll(',', ' ,\n ').replaceAll('=', ' = ')} `).reconnected).toBe('SMS_105');
  });

  it('refuses a malformed value, naming the problem', () => {
    const refused = (v: string) => {
      try {
        parseTemplateMapping(v);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`accepted ${v}`);
    };
    expect(refused('')).toMatch(/GRANARY_SMS_ALIYUN_TEMPLATES: entry 1 is empty/);
    expect(refused(`${all},`)).toMatch(/entry 6 is empty/);
    expect(refused('balance_low:SMS_1')).toMatch(/is not kind=TemplateCode/);
    expect(refused(all.replace('balance_low', 'low_balance'))).toMatch(/unknown kind "low_balance"/);
    expect(refused(all.replace('SMS_103', 'SMS103'))).toMatch(/TemplateCode of pending_disconnection must be SMS_ followed by digits/);
    expect(refused(all.replace('SMS_105', ''))).toMatch(/TemplateCode of reconnected/);
    expect(refused(`${all},days_left=SMS_9`)).toMatch(/days_left is given twice/);
    expect(refused('balance_low=SMS_1,days_left=SMS_2')).toMatch(/no TemplateCode for pending_disconnection, disconnected, reconnected/);
  });
});
