import { test, expect } from '@playwright/test';
import { failOnConsoleErrors, logIn } from './fixtures';

failOnConsoleErrors(test);

test('an admin creates an integration key; an alert opens an incident live and resolves it', async ({ page, request }) => {
  await logIn(page, '/services/core-api');
  await expect(page.getByRole('heading', { name: 'Core API' })).toBeVisible();

  // Core API has open incidents from the demo; one incident per alert keeps this one apart.
  await page.getByText('Change', { exact: true }).click();
  await page.locator('#grouping').selectOption('alert');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#ingestion-settings')).toContainText('Every new alert opens its own incident');

  // The key is shown once, with the URL and a config snippet that contains it.
  await page.locator('#key-kind').selectOption('events_v2');
  await page.locator('#key-label').fill('E2E Prometheus');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secretEl = page.locator('#new-key-secret');
  await expect(secretEl).toHaveText(/^[A-Za-z0-9]{32}$/);
  const secret = (await secretEl.textContent())!.trim();
  await expect(page.locator('#new-key')).toContainText(`routing_key: ${secret}`);
  await expect(page.locator('#new-key-url')).toHaveText(/\/v2\/enqueue$/);
  await expect(page.locator('#keys-table')).toContainText('E2E Prometheus');
  await expect(page.locator('#keys-table')).not.toContainText(secret);

  // A trigger without a summary is refused with the field named, and listed for the owners.
  const bad = await request.post('/v2/enqueue', {
    data: { routing_key: secret, event_action: 'trigger', payload: { source: 'db-9', severity: 'critical' } },
  });
  expect(bad.status()).toBe(400);

  // A monitoring tool sends a PagerDuty trigger: the alert appears on the open page.
  const trigger = {
    routing_key: secret, event_action: 'trigger', dedup_key: 'e2e-disk',
    payload: { summary: 'E2E disk full on db-9', source: 'db-9', severity: 'critical' },
  };
  const res = await request.post('/v2/enqueue', { data: trigger });
  expect(res.status()).toBe(202);
  expect(await res.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'e2e-disk' });
  const row = page.locator('#alerts-table tr[data-dedup-key="e2e-disk"]');
  await expect(row).toContainText('E2E disk full on db-9');
  await expect(row).toContainText('triggered');
  await expect(page.locator('#rejected-table')).toContainText('payload.summary');
  await expect(page.locator('#rejected-table')).toContainText('E2E Prometheus');

  // The payload is one click away; the incident one more.
  await row.getByText('Payload').click();
  await expect(row.locator('pre')).toContainText('"source": "db-9"');
  await row.getByRole('link', { name: /^INC-/ }).click();
  await expect(page.getByRole('heading', { name: /E2E disk full on db-9/ })).toBeVisible();
  await expect(page.locator('#incident-severity')).toHaveText('SEV2');
  await expect(page.locator('#incident-alerts')).toHaveText('Alerts (1)');
  await expect(page.locator('#timeline-list')).toContainText('Alert attached: E2E disk full on db-9');

  // The source resolves it; nobody had acted, so the incident resolves itself, live.
  const resolved = await request.post('/v2/enqueue', {
    data: { routing_key: secret, event_action: 'resolve', dedup_key: 'e2e-disk' },
  });
  expect(resolved.status()).toBe(202);
  await expect(page.locator('#incident-status')).toHaveText('resolved');
  await expect(page.locator('#timeline-list')).toContainText('resolved automatically');
});
