import { AppError, type FieldError } from '../../../shared/errors.js';

/** The account attributes that must agree with each other (RULES §4–5, §8). */
export interface AccountShape {
  category: string;
  paymentMode: string;
  tariffCode: string;
  pfStandard: string | null;
  capacityKva: string | null;
  contractDemandKw: string | null;
  basicChargeBasis: string | null;
  sharedMeter: boolean;
  isHeatingCompany: boolean;
}

const TWO_PART = /two-part/;

/** Every inconsistency at once, so the form can show them all. Empty list = consistent. */
export function accountProblems(a: AccountShape): FieldError[] {
  const problems: FieldError[] = [];
  const capacity = a.capacityKva == null ? null : Number(a.capacityKva);
  if (TWO_PART.test(a.tariffCode)) {
    if (capacity == null || capacity < 100) problems.push({ field: 'capacityKva', message: 'a two-part tariff needs a capacity of at least 100 kVA (RULES §4)' });
    if (!a.basicChargeBasis) problems.push({ field: 'basicChargeBasis', message: 'a two-part tariff needs a basic-charge basis (capacity or demand)' });
  } else if (a.basicChargeBasis) {
    problems.push({ field: 'basicChargeBasis', message: 'only two-part tariffs have a basic charge' });
  }
  if (a.basicChargeBasis === 'demand' && a.contractDemandKw == null) problems.push({ field: 'contractDemandKw', message: 'the demand basis needs a contract demand' });
  if (a.category === 'residential' && a.pfStandard != null) problems.push({ field: 'pfStandard', message: 'residential users are exempt from power-factor adjustment' });
  if (a.pfStandard != null && (capacity == null || capacity < 100)) problems.push({ field: 'pfStandard', message: 'power-factor adjustment applies from 100 kVA' });
  if (a.sharedMeter && a.category !== 'residential') problems.push({ field: 'sharedMeter', message: 'only residential users have shared meters' });
  if (a.isHeatingCompany && a.category === 'residential') problems.push({ field: 'isHeatingCompany', message: 'a heating company is not a residential user' });
  if (a.category === 'heating' && a.paymentMode !== 'purchase_before_use')
    problems.push({ field: 'paymentMode', message: 'district-heating companies buy before use (RULES §8.5)' });
  return problems;
}

export function assertConsistentAccount(a: AccountShape): void {
  const errors = accountProblems(a);
  if (errors.length) throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}
