import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, signIn, startE2e, type E2e } from './support.js';

/**
 * Issue 17 in the browser: a refused quote worded in Chinese beside the field's label (never a path), the
 * bill lines with units, subtotals and the average price, tariff names in the customer list, a catalogue
 * row opening its versions, and the version editor as a form with the JSON kept as a tab.
 */

let e2e: E2e;
let page: Page;

beforeAll(async () => {
  e2e = await startE2e({ accounts: 60 });
  ({ page } = e2e);
});

afterAll(async () => {
  await e2e?.stop();
});

describe('tariffs in the browser', () => {
  it('the customer list shows tariff names, not codes', async () => {
    await signIn(e2e, 'marketing');
    const names = await page.getByTestId('tariff-name').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).not.toMatch(/^gansu\./);
  });

  it('a refused quote says what is wrong in Chinese beside the field, never its path', async () => {
    await page.goto(`${e2e.baseUrl}/tariffs/quote?code=gansu.residential.tiered`);
    await page.getByTestId('quote-kwh').fill('1000000000000000');
    await page.getByTestId('quote-submit').click();
    await page.getByTestId('quote-problems').waitFor();
    const problems = await page.getByTestId('quote-problems').textContent();
    expect(problems).toContain('有功电量');
    expect(problems).toContain('数值过大');
    expect(problems).not.toContain('usage.kwh');
    const item = page.locator('.ant-form-item', { has: page.getByTestId('quote-kwh') });
    expect(await item.locator('.ant-form-item-label').textContent()).toContain('有功电量');
    await expect.poll(() => item.locator('.ant-form-item-explain-error').textContent()).toContain('数值过大');
  });

  it('a quote shows its lines with units, a subtotal per kind and the average price (R1)', async () => {
    await page.getByTestId('quote-kwh').fill('300');
    await page.getByTestId('quote-submit').click();
    await page.getByTestId('quote-total').waitFor();
    expect(await page.getByTestId('quote-total').textContent()).toBe('175.00');
    expect(await page.locator('.ant-form-item-explain-error').count()).toBe(0);
    const lines = await page.getByTestId('quote-lines').textContent();
    expect(lines).toContain('160.00 kWh');
    expect(lines).toContain('0.5100 元/kWh');
    expect(await page.getByTestId('subtotal-energy').textContent()).toContain('175.00');
    expect(await page.getByTestId('average-price').textContent()).toContain('0.5833');
    await screenshot(page, 'tariffs-quote.png');
  });

  it('a catalogue row opens its versions; a new draft is a form, with the JSON as a tab', async () => {
    await page.goto(`${e2e.baseUrl}/tariffs`);
    await page.getByTestId('version-list').waitFor(); // the first code's version, chosen on arrival
    await page.getByTestId('catalogue-row-gansu.ci.two-part').click();
    await expect.poll(() => page.getByTestId('version-list').textContent(), { timeout: 10_000 }).toContain('工商业用电 两部制');
    expect(await page.getByTestId('version-list').textContent()).toContain('2024-08-01');
    await page.getByTestId('new-draft').click();
    await page.getByTestId('version-form').waitFor();
    expect(await page.getByTestId('form-effective-from').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await screenshot(page, 'tariffs-draft-form.png');
    await page.getByRole('tab', { name: 'JSON（专家）' }).click();
    await page.getByTestId('draft-json').waitFor();
    const json = JSON.parse(await page.getByTestId('draft-json').inputValue()) as { code: string; kind: string; basic?: unknown };
    expect(json).toMatchObject({ code: 'gansu.ci.two-part', kind: 'two-part' });
    expect(json.basic).toBeDefined();
    await screenshot(page, 'tariffs-draft-json.png');
  });
});
