import { test, expect } from '@playwright/test';
import { failOnConsoleErrors, logIn } from './fixtures';

// The public status page as customers meet it (logged out, with or without JavaScript), and a
// communicator telling them from an incident's page in one post.

const consoleCheck = failOnConsoleErrors(test);

test('the public page reads logged out and without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/status');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Status');
  // The demo tells customers about its open Core API incident.
  await expect(page.getByRole('heading', { name: 'Current incidents' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Slow API responses' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Platform/ })).toBeVisible();
  // Each day is readable without hovering: a table behind a disclosure, the demo's outage in it.
  await page.getByText('Daily history of API').click();
  const days = page.locator('details', { hasText: 'Daily history of API' }).locator('table');
  await expect(days).toContainText('major outage');
  await page.getByRole('link', { name: 'Slow API responses' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Slow API responses');
  await expect(page.getByText('We have found the cause')).toBeVisible();
  await page.goto('/status/history');
  await expect(page.getByRole('link', { name: 'API unavailable' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Database upgrade' })).toBeVisible();
  // Subscribing is a plain form: it works without JavaScript, and answers the same for anyone.
  await page.goto('/status');
  await page.getByLabel('Email address').fill('reader@example.com');
  await page.locator('#subscribe').getByLabel('API', { exact: true }).check();
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox');
  await context.close();
});

test('one post from the incident page reaches an open public page without a reload, its JSON and the timeline', async ({ page, browser }) => {
  // A customer, logged out, already has the page open.
  const outside = await browser.newContext();
  const reader = await outside.newPage();
  consoleCheck.watch(reader);
  await reader.goto('/status');
  await expect(reader.locator('main')).not.toContainText('does not load');
  // Marks this document: a reload would lose it.
  await reader.evaluate(() => { (window as unknown as { kept: number }).kept = 1; });

  await logIn(page, '/incidents/new');
  await page.getByLabel('What is wrong?').fill('Dashboard fails to load');
  await page.getByLabel('Severity').selectOption('SEV2');
  await page.getByLabel('Web Dashboard').check();
  await page.getByRole('button', { name: 'Declare incident' }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d+$/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Status page', exact: true }) });
  await expect(panel).toContainText('Customers see nothing about this incident yet.');
  // Prefilled from the incident: its title, and its service's component as a partial outage.
  await expect(page.getByLabel('Title customers see')).toHaveValue('Dashboard fails to load');
  await expect(page.getByLabel(/^Dashboard \(now/)).toHaveValue('partial_outage');
  // The preview is the server's rendering, as customers will read it.
  await page.getByLabel(/^Message to customers/).fill('The dashboard **does not load** for some customers.');
  await expect(panel.locator('.status-preview strong')).toHaveText('does not load');
  await page.getByRole('button', { name: 'Post to status page' }).click();
  await expect(panel.getByRole('link', { name: 'Dashboard fails to load' })).toBeVisible();
  await expect(page.locator('#timeline-list')).toContainText('Status page (investigating): Dashboard fails to load');

  // The open page changes by itself (its script fetches it again every 15 s), without a reload.
  await expect(reader.locator('main')).toContainText('does not load', { timeout: 40_000 });
  await expect(reader.locator('strong', { hasText: 'does not load' })).toBeVisible();
  expect(await reader.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(1);
  const summary = await (await reader.request.get('/api/v2/summary.json')).json();
  const posted = summary.incidents.find((i: { name: string }) => i.name === 'Dashboard fails to load');
  expect(posted.status).toBe('investigating');
  expect(posted.components.map((c: { name: string }) => c.name)).toEqual(['Dashboard']);
  expect(summary.components.find((c: { name: string }) => c.name === 'Dashboard').status).toBe('partial_outage');

  // Resolving the incident offers the final update, prefilled to put the component back.
  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(panel).toContainText('customers still see it as investigating');
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('resolved');
  await expect(page.getByLabel(/^Dashboard \(now/)).toHaveValue('operational');
  await expect(page.getByLabel(/^Message to customers/)).toHaveValue(/has been resolved/);
  await page.getByRole('button', { name: 'Post to status page' }).click();
  await expect(panel).toContainText('resolved, 2 updates');
  await expect.poll(async () => {
    const s = await (await reader.request.get('/api/v2/components.json')).json();
    return s.components.find((c: { name: string }) => c.name === 'Dashboard').status;
  }, { timeout: 15_000 }).toBe('operational');
  // The reader's page drops it from the current incidents, still without a reload.
  await expect(reader.locator('section', { has: reader.getByRole('heading', { name: 'Current incidents' }) }))
    .not.toContainText('Dashboard fails to load', { timeout: 40_000 });
  expect(await reader.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(1);
  await outside.close();
});

test('without JavaScript the public page refreshes itself', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/status');
  // The <noscript> refresh is live only where scripts do not run.
  await expect(page.locator('meta[http-equiv="refresh"]')).toHaveAttribute('content', '60');
  await context.close();
});

test('an admin reorders components by keyboard and sees subscriber messages in the delivery log', async ({ page }) => {
  await logIn(page, '/admin/status-page');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const items = page.locator('ul[aria-label="Order of Platform"] > li summary');
  const first = (await items.first().innerText()).split(' · ')[0];
  const second = (await items.nth(1).innerText()).split(' · ')[0];
  await page.getByRole('button', { name: `Move ${second} up` }).focus();
  await page.keyboard.press('Enter');
  await expect(items.first()).toContainText(second);
  await expect(items.nth(1)).toContainText(first);
  // Dragging puts it back.
  await items.nth(1).locator('xpath=ancestor::li[1]').dragTo(items.first().locator('xpath=ancestor::li[1]'));
  await expect(items.first()).toContainText(first);

  // A subscription's confirmation shows in the delivery log (with its error: this server sends no email).
  const origin = new URL(page.url()).origin;
  const subscribed = await page.request.post('/status/subscribe', {
    form: { email: 'log-reader@example.com' },
    headers: { Origin: origin },
  });
  expect(subscribed.status()).toBe(200);
  await page.goto('/admin/deliveries');
  await expect(page.getByRole('heading', { name: 'To status page subscribers' })).toBeVisible();
  await expect(page.locator('#subscriber-log')).toContainText('log-reader@example.com (email)');
  await expect(page.locator('#subscriber-log')).toContainText('Confirm your subscription');
});

test('admins keep the page: a component added in the admin area shows on the public page', async ({ page }) => {
  await logIn(page, '/admin/status-page');
  await page.getByLabel('New group').fill('Edge');
  await page.getByRole('button', { name: 'Add group' }).click();
  await expect(page.getByRole('button', { name: 'Save Edge' })).toBeVisible();
  const add = page.locator('form', { has: page.getByRole('button', { name: 'Add component' }) });
  await add.getByLabel('Name').fill('CDN');
  await add.getByLabel('Description').fill('Static files and images.');
  await add.getByLabel('Group').selectOption({ label: 'Edge' });
  await add.getByRole('button', { name: 'Add component' }).click();
  await expect(page.getByText(/^CDN · operational/)).toBeVisible();
  await expect.poll(async () => {
    await page.goto('/status');
    return page.locator('main').innerText();
  }, { timeout: 15_000 }).toContain('Static files and images.');
});
