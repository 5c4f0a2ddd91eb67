import { describe, expect, it } from 'vitest';
import { GANSU_TARIFF_VERSIONS } from '../../../../src/modules/tariffs/domain/gansu-defaults';
import { definitionOf, valuesOf } from './version-form';

describe('the version form', () => {
  it('gives every Gansu default back unchanged', () => {
    for (const v of GANSU_TARIFF_VERSIONS) expect(definitionOf(valuesOf(v))).toEqual(v);
  });
  it('keeps only the kind’s fields and leaves out switched-off parts and empty inputs', () => {
    const two = GANSU_TARIFF_VERSIONS.find((v) => v.kind === 'two-part' && v.tou)!;
    const values = valuesOf(two);
    values.kind = 'single-part';
    values.on = { ...values.on, critical: false, discount: false, pf: false };
    values.notes = '';
    const d = definitionOf(values);
    expect(d.basic).toBeUndefined();
    expect(d.powerFactor).toBeUndefined();
    expect(d.notes).toBeUndefined();
    expect(d.tou?.critical).toBeUndefined();
    expect(d.tou?.factors).toEqual({ peak: '1.5', flat: '1.0', valley: '0.5' });
  });
});
