import { test, expect } from '@playwright/test';
import { failOnConsoleErrors, logIn, logInAs } from './fixtures';

// A postmortem from resolution to publication, as the people who write and review it meet it.

const consoleCheck = failOnConsoleErrors(test);

test('the journey: a resolved SEV2 with pins becomes a reviewed, published postmortem', async ({ page, browser }) => {
  await logIn(page, '/incidents/new');
  await page.getByLabel('What is wrong?').fill('Core API 5xx after deploy again');
  await page.getByLabel('Severity').selectOption('SEV2');
  await page.getByLabel('Core API').check();
  await page.getByRole('button', { name: 'Declare incident' }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d+$/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const timeline = page.locator('#timeline-list > li');
  for (const [text, pin] of [['Error rate 40% on orders', 'Pin as papertrail'], ['Add a canary stage to deploys', 'Pin as follow-up']]) {
    await page.getByLabel('Add a note').fill(text);
    await page.getByRole('button', { name: 'Add note' }).click();
    await timeline.filter({ hasText: text }).getByRole('button', { name: pin }).click();
    await expect(page.locator('#pinned-list')).toContainText(text);
  }
  await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
  await expect(page.locator('#incident-status')).toHaveText('acknowledged');
  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(page.locator('#incident-status')).toHaveText('resolved');

  // Resolving a SEV2 opened its postmortem, prefilled from the incident.
  await page.getByRole('link', { name: 'Postmortem (draft)' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Postmortem: INC-');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const url = page.url();
  await expect(page.locator('#pm-timeline')).toContainText('Papertrail: Error rate 40% on orders');

  // Blaming words get a hint while typing (a responder's name as the subject of "failed to").
  const summary = page.getByRole('textbox', { name: 'Summary', exact: true });
  await summary.fill('Priya failed to check the canary before the deploy.');
  await expect(page.locator('#pm-summary-hints')).toContainText('failed to');
  await page.getByRole('button', { name: 'Save summary' }).click();
  await expect(page.locator('#pm-summary-hints')).toContainText('failed to');

  // A line is corrected in place.
  const first = page.locator('#pm-timeline > li').first();
  await first.getByText('Correct').click();
  await first.getByLabel('What happened').fill('Declared as SEV2 from the deploy dashboard');
  await first.getByRole('button', { name: 'Save the line' }).click();
  await expect(page.locator('#pm-timeline')).toContainText('Declared as SEV2 from the deploy dashboard');

  // A review meeting a week later.
  await page.getByText('Set the review meeting').click();
  await page.getByLabel(/^When \(RFC 3339/).fill('2030-01-14T15:00:00Z');
  await page.getByRole('button', { name: 'Save the meeting' }).click();
  await expect(page.getByText(/^Review meeting: 2030-01-14/)).toBeVisible();

  // The earlier deploy incident on Core API is offered; confirm it.
  const recurrence = page.locator('#pm-recurrence');
  await expect(recurrence).toContainText('Core API 5xx after deploy');
  await recurrence.getByRole('button', { name: /^Confirm INC-/ }).first().click();
  await expect(recurrence).toContainText('Confirmed recurrence');

  // The follow-up pin becomes an action in one click.
  await page.getByRole('button', { name: 'Make an action: Add a canary stage to deploys' }).click();
  await expect(page.locator('.actions-table')).toContainText('Add a canary stage to deploys');

  // Review by Sam: changes first, then approval; then the owner publishes.
  await page.getByRole('group', { name: 'Reviewers' }).getByRole('checkbox', { name: 'Sam Carter' }).check();
  await page.getByRole('button', { name: 'Request review' }).click();
  await expect(page.locator('.pm-status')).toContainText('In review');

  const other = await browser.newContext();
  const sam = await other.newPage();
  consoleCheck.watch(sam);
  await logInAs(sam, 'sam@example.com', new URL(url).pathname);
  await expect(sam.locator('.pm-status')).toContainText('In review');
  await sam.getByLabel('Request changes').check();
  await sam.getByLabel(/^Comment/).fill('Say what made the canary easy to skip.');
  await sam.getByRole('button', { name: 'Send review' }).click();
  await expect(sam.locator('.pm-status')).toContainText('Changes requested');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#pm-reviews')).toContainText('Sam Carter requested changes');
  await page.getByRole('button', { name: 'Request review' }).click();
  await expect(page.locator('.pm-status')).toContainText('In review');

  await sam.reload();
  await expect(sam.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await sam.getByRole('button', { name: 'Send review' }).click();
  await expect(sam.locator('.pm-status')).toContainText('Approved');
  await other.close();

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.pm-status')).toContainText('Published');
});

test('the queue shows the demo postmortems by tab; an overdue action is on its owner\'s dashboard', async ({ page }) => {
  await logIn(page, '/postmortems?tab=published');
  await expect(page.getByRole('link', { name: /^Published \(\d+\)$/ })).toBeVisible();
  await expect(page.locator('#postmortem-queue tbody tr').first()).toBeVisible();
  for (const tab of ['In review', 'Drafts', 'Overdue']) {
    const link = page.getByRole('link', { name: new RegExp(`^${tab} \\(([1-9]\\d*)\\)$`) });
    await expect(link).toBeVisible();
  }
  await page.goto('/postmortems/actions');
  await expect(page.locator('.actions-table')).toContainText('overdue');
  // Filtered by status, in the address.
  await page.getByLabel('Status').selectOption('done');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=done/);
  await expect(page.locator('.actions-table tbody tr').first()).toContainText('done');
  await expect(page.locator('.actions-table')).not.toContainText('overdue');

  await logInAs(page, 'sam@example.com', '/');
  await expect(page.locator('#waiting-on-you')).toContainText('overdue');
});

test('an admin narrows the policy and adds a template for SEV1', async ({ page }) => {
  await logIn(page, '/admin/postmortem-templates');
  await page.getByLabel('Business days to write it (in the owner\'s time zone)').fill('4');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByLabel('Business days to write it (in the owner\'s time zone)')).toHaveValue('4');
  const add = page.locator('form', { has: page.getByRole('button', { name: 'Add template' }) });
  await add.getByLabel('Name').fill('Major incidents');
  await add.getByLabel('SEV1').check();
  await add.getByRole('button', { name: 'Add template' }).click();
  await expect(page.getByText('Major incidents · SEV1')).toBeVisible();
  const templates = await (await page.request.get('/api/v1/postmortem-templates')).json();
  expect(templates.map((t: { name: string }) => t.name)).toContain('Major incidents');
});
