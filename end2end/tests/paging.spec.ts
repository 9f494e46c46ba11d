import { test, expect } from '@playwright/test';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { failOnConsoleErrors, logIn } from './fixtures';

failOnConsoleErrors(test);

/** A webhook endpoint on a free port that keeps every JSON body it receives. */
async function receiver(): Promise<{ url: string; got: any[]; close: () => void }> {
  const got: any[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => server.close() };
}

test('an alert pages the on-call responder by webhook and the link in their page acknowledges it', async ({ page, request }) => {
  const hook = await receiver();
  try {
    // The admin (Alex Morgan in the demo) adds a webhook to be reached on.
    await logIn(page, '/settings/notifications');
    await page.locator('#cm-kind').selectOption('webhook');
    await page.locator('#cm-label').fill('E2E hook');
    await page.locator('#cm-address').fill(hook.url);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.locator('#contact-methods')).toContainText('E2E hook');
    await expect(page.locator('#contact-methods .secret')).toHaveText(/^whsec_/);

    // Whoever is on call for Platform now gets a webhook too (an admin may set anyone's).
    const schedules = await (await page.request.get('/api/v1/schedules')).json();
    const platform = schedules.find((s: any) => s.name === 'Platform on-call');
    const onCall = platform.rows.find((r: any) => r.label === 'Primary').now;
    // A browser sends its Origin with every write; a cookie-authenticated write without one is
    // refused, so these direct calls send it as the page would.
    const origin = { Origin: new URL(page.url()).origin };
    const added = await page.request.post(`/api/v1/users/${onCall.id}/contact-methods`, {
      data: { kind: 'webhook', label: 'On-call hook', address: `${hook.url}?who=oncall` },
      headers: origin,
    });
    expect(added.status()).toBe(201);

    // A policy whose first level is the schedule's on-call and Alex, shown with who it would
    // page right now.
    await page.goto('/escalation-policies/new');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.locator('#policy-name').fill('E2E policy');
    await page.locator('#lv0-target').selectOption({ label: 'On call: Platform on-call' });
    await page.locator('#lv0-add').click();
    await page.locator('#lv0-target').selectOption({ label: 'Alex Morgan' });
    await page.locator('#lv0-add').click();
    await expect(page.locator('fieldset.level ul.targets')).toContainText('Alex Morgan');
    await page.locator('#lv0-delay').fill('5');
    await page.locator('#save-policy').click();
    const policy = page.locator('section.policy[data-policy="E2E policy"]');
    await expect(policy).toContainText(`Right now: ${onCall.name}, Alex Morgan`);

    // The web dashboard routes to it.
    await page.goto('/services/web-dashboard');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.locator('#route-policy').selectOption({ label: 'E2E policy' });
    await page.getByRole('button', { name: 'Route' }).click();
    await expect(page.locator('#routing-now')).toContainText('E2E policy');

    // A monitoring tool sends an alert; it opens its own incident (the demo's open one would
    // otherwise absorb it, still paging through the policy it started with).
    const settings = await page.request.patch('/api/v1/services/web-dashboard', {
      data: { ingestion: { grouping: 'alert' } },
      headers: origin,
    });
    expect(settings.status()).toBe(200);
    const key = await page.request.post('/api/v1/services/web-dashboard/integration-keys', {
      data: { kind: 'events_v2', label: 'E2E paging' },
      headers: origin,
    });
    expect(key.status()).toBe(201);
    const secret = (await key.json()).key;
    const sent = await request.post('/v2/enqueue', {
      data: {
        routing_key: secret, event_action: 'trigger', dedup_key: 'e2e-paging',
        payload: { summary: 'E2E login errors spiking', source: 'web-1', severity: 'critical' },
      },
    });
    expect(sent.status()).toBe(202);

    // The on-call responder's page arrives, signed, with their acknowledge link.
    const toOnCall = () => hook.got.filter((g) => g.url.includes('who=oncall'));
    await expect.poll(() => toOnCall().length, { timeout: 15_000 }).toBeGreaterThan(0);
    const delivered = toOnCall()[0];
    expect(delivered.headers['webhook-signature']).toMatch(/^v1,/);
    expect(delivered.body.type).toBe('incident.page');
    expect(delivered.body.to).toBe(onCall.name);
    const incident = delivered.body.incidents[0];
    expect(incident.title).toContain('E2E login errors spiking');

    // One click on the link's page acknowledges, as them, without signing in.
    await page.goto(new URL(incident.acknowledge_url).pathname);
    await page.getByRole('button', { name: `Acknowledge ${incident.number}` }).click();
    await expect(page.getByRole('heading', { name: 'Acknowledged' })).toBeVisible();

    // The incident's timeline and page log tell the story.
    await page.goto(`/incidents/${incident.number.replace('INC-', '')}`);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const timeline = page.locator('#timeline-list');
    await expect(timeline).toContainText(`Escalation level 1: paged ${onCall.name}, Alex Morgan`);
    await expect(timeline).toContainText(`Page delivered to ${onCall.name} by webhook (On-call hook)`);
    await expect(timeline).toContainText('Escalation stopped: acknowledged');
    await expect(page.locator('#page-list')).toContainText(`${onCall.name} · level 1`);
    await expect(page.locator('#deliveries')).toContainText('sent');

    // Admins see every message in the delivery log.
    await page.goto('/admin/deliveries');
    await expect(page.locator('#delivery-log')).toContainText(incident.number);
    await expect(page.locator('#delivery-log')).toContainText('webhook (E2E hook)');
  } finally {
    hook.close();
  }
});
