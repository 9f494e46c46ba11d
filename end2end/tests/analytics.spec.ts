import { test, expect } from '@playwright/test';
import { failOnConsoleErrors, logIn } from './fixtures';

// /analytics on the demo's ninety days: charts drawn by the server, the same numbers in tables,
// filters in the address, a before/after around the demo's automation day, CSV downloads.

failOnConsoleErrors(test);

test('the charts render with their numbers, and a filter narrows them', async ({ page }) => {
  await logIn(page, '/analytics?days=90');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Analytics');
  for (const id of ['mtta-chart', 'mttr-chart', 'severity-chart', 'heatmap-chart', 'load-chart']) {
    const chart = page.locator(`#${id} svg[role="img"]`);
    await expect(chart).toBeVisible();
    // Drawn: bars, lines or cells, not an empty frame.
    expect(await chart.locator('rect, polyline, path, polygon').count()).toBeGreaterThan(3);
    await expect(page.locator(`#${id} figcaption`)).not.toBeEmpty();
  }
  const incidents = Number(await page.locator('#headline .figure').first().locator('.figure-value').textContent());
  expect(incidents).toBeGreaterThan(50);
  expect(await page.locator('#load-table tbody tr').count()).toBeGreaterThanOrEqual(4);
  await expect(page.locator('#load-table')).toContainText('Australia/Sydney');
  await expect(page.locator('#priority-matrix')).toContainText('(lowered)');
  await expect(page.locator('#noise-table tbody tr').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/analytics-light.png', fullPage: true });

  // Narrowed to Payments' Billing: fewer incidents, and the address says so.
  await page.getByLabel('Service').selectOption('billing');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/service=billing/);
  const billing = Number(await page.locator('#headline .figure').first().locator('.figure-value').textContent());
  expect(billing).toBeGreaterThan(0);
  expect(billing).toBeLessThan(incidents);
  await expect(page.locator('#noise-table')).not.toContainText('core-api');
});

test('before and after the automation day says acknowledgements got faster, and tables download as CSV', async ({ page }) => {
  await logIn(page, '/analytics?days=90');
  const day = new Date(Date.now() - 35 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Figure').selectOption('mtta');
  await page.getByLabel('Change shipped on').fill(day);
  await page.getByLabel('Days each side').fill('30');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('#compare-summary')).toContainText('Time to acknowledge: faster by');
  await expect(page.locator('#compare-summary')).toContainText('unlikely to be chance');
  await expect(page.locator('#compare-chart svg')).toBeVisible();

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download load per responder as CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('tocsin-interruptions.csv');
  const text = await (await import('node:fs/promises')).readFile(await file.path(), 'utf8');
  expect(text.split('\r\n')[0]).toBe('responder,time_zone,interruptions,business,off_hours,sleep,acknowledged,engaged_hours,on_call_hours');
  expect(text).toContain('Mia Chen,Australia/Sydney,');
});

test('dark mode: chart text follows the theme', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  await logIn(page, '/analytics?days=90');
  const colour = await page.locator('#mtta-chart svg text').first().evaluate((t) => getComputedStyle(t).fill);
  const body = await page.locator('body').evaluate((b) => getComputedStyle(b).color);
  expect(colour).toBe(body);
  await page.screenshot({ path: 'test-results/analytics-dark.png', fullPage: true });
  await context.close();
});
