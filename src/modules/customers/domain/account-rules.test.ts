import { describe, expect, it } from 'vitest';
import { accountProblems, type AccountShape } from './account-rules.js';

const household: AccountShape = {
  category: 'residential',
  paymentMode: 'smart_prepaid',
  tariffCode: 'gansu.residential.tiered',
  pfStandard: null,
  capacityKva: null,
  contractDemandKw: null,
  basicChargeBasis: null,
  sharedMeter: false,
  isHeatingCompany: false,
};

const factory: AccountShape = {
  category: 'large_industry',
  paymentMode: 'postpaid',
  tariffCode: 'gansu.ci.two-part',
  pfStandard: '0.90',
  capacityKva: '1000',
  contractDemandKw: '400',
  basicChargeBasis: 'demand',
  sharedMeter: false,
  isHeatingCompany: false,
};

const fields = (a: AccountShape) => accountProblems(a).map((p) => p.field);

describe('account consistency', () => {
  it('accepts a smart-prepaid household and a two-part factory', () => {
    expect(accountProblems(household)).toEqual([]);
    expect(accountProblems(factory)).toEqual([]);
  });
  it('needs capacity ≥ 100 kVA and a basis for two-part tariffs', () => {
    expect(fields({ ...factory, capacityKva: '80', pfStandard: null })).toEqual(['capacityKva']);
    expect(fields({ ...factory, basicChargeBasis: null })).toEqual(['basicChargeBasis']);
  });
  it('needs a contract demand on the demand basis', () => {
    expect(fields({ ...factory, contractDemandKw: null })).toEqual(['contractDemandKw']);
  });
  it('keeps residential users out of power-factor adjustment and heating rules', () => {
    expect(fields({ ...household, pfStandard: '0.85' })).toContain('pfStandard');
    expect(fields({ ...household, isHeatingCompany: true })).toEqual(['isHeatingCompany']);
  });
  it('puts heating companies on purchase-before-use', () => {
    expect(fields({ ...factory, category: 'heating', tariffCode: 'gansu.ci.single-part', basicChargeBasis: null, paymentMode: 'postpaid' })).toEqual(['paymentMode']);
  });
});
