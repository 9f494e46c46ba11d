import { test, expect } from '@playwright/test';
import { failOnConsoleErrors, logIn } from './fixtures';

failOnConsoleErrors(test);

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

test('an admin builds a weekly rotation, adds an override and sees both in the timeline', async ({ page, request }) => {
  await logIn(page, '/schedules/new');
  await expect(page.getByRole('heading', { name: 'New schedule' })).toBeVisible();

  await page.locator('#sch-name').fill('E2E weekly');
  await page.locator('#sch-zone').fill('America/New_York');
  // Started two weeks ago, so this week has a handoff in it.
  await page.locator('#l0-start').fill(isoDate(new Date(Date.now() - 14 * 86400_000)));
  for (const name of ['Priya Shah', 'Sam Carter', 'Jordan Lee', 'Mia Chen']) {
    await page.locator('#l0-add').selectOption({ label: name });
  }
  const people = page.locator('#l0-participants .participant-name');
  await expect(people).toHaveText(['Priya Shah', 'Sam Carter', 'Jordan Lee', 'Mia Chen']);
  await page.getByRole('button', { name: 'Move Sam Carter up' }).click();
  await expect(people).toHaveText(['Sam Carter', 'Priya Shah', 'Jordan Lee', 'Mia Chen']);

  // The preview is computed in the browser as the form changes.
  await expect(page.locator('.tl-row[data-track="Final: primary"] .tl-shift').first()).toBeVisible();
  await expect(page.locator('#fairness-ok')).toBeVisible();
  await page.locator('#save-schedule').click();

  await expect(page.getByRole('heading', { name: 'E2E weekly' })).toBeVisible();
  await expect(page).toHaveURL(/\/schedules\/[0-9a-f-]{36}$/);
  // The admin's own zone first (demo admin: London), the schedule's one click away.
  await expect(page.locator('#tl-range')).toContainText('(Europe/London)');
  await page.locator('#schedule-zone').check();
  await expect(page.locator('#tl-range')).toContainText('(America/New_York)');
  const final = page.locator('.tl-row[data-track="Final: primary"]');
  await expect(final.locator('.tl-shift').first()).toBeVisible();
  await expect(page.locator('#final-shifts tbody tr').first()).toBeVisible();

  // Alex covers tomorrow 14:00-18:00 New York time.
  const tomorrow = new Date(Date.now() + 86400_000).toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
  await page.locator('#ov-who').selectOption({ label: 'Alex Morgan' });
  await page.locator('#ov-start').fill(`${tomorrow}T14:00`);
  await page.locator('#ov-end').fill(`${tomorrow}T18:00`);
  // Before adding, the form says what the override would break (Alex is in no rotation here).
  await expect(page.locator('#override-fair')).toBeVisible();
  await page.getByRole('button', { name: 'Add override' }).click();
  await expect(page.locator('#override-list')).toContainText('Alex Morgan covers');
  await expect(page.locator('#override-list')).toContainText('14:00');

  // The day view of tomorrow shows the override in the final track, marked.
  await page.getByRole('button', { name: 'Day', exact: true }).click();
  await page.locator('#tl-later').click();
  const override = final.locator('.tl-shift.override');
  await expect(override).toHaveCount(1);
  await expect(override).toContainText('Alex Morgan');
  await expect(override).toHaveAttribute('title', /14:00 E[SD]T – .* 18:00 E[SD]T \(override\)/);
  await expect(page.locator('#final-shifts')).toContainText('Override');

  // The personal calendar feed works without a session.
  const feed = (await page.locator('#feed-url').textContent())!.trim();
  const ics = await request.get(new URL(feed).pathname + new URL(feed).search, { headers: { cookie: '' } });
  expect(ics.status()).toBe(200);
  expect(await ics.text()).toContain('BEGIN:VTIMEZONE');

  // The list shows it with who is on now; /oncall has the load table.
  await page.goto('/schedules');
  await expect(page.locator('#schedules-table')).toContainText('E2E weekly');
  await page.goto('/oncall');
  await expect(page.locator('#oncall-now')).toContainText('E2E weekly');
  await expect(page.locator('#load-table')).toContainText('Sam Carter');
});

test('the demo schedule shows its fairness warning in the editor', async ({ page }) => {
  await logIn(page, '/schedules');
  await page.getByRole('link', { name: 'Platform on-call' }).click();
  await expect(page.getByRole('heading', { name: 'Platform on-call' })).toBeVisible();
  await page.getByRole('link', { name: 'Edit schedule' }).click();
  await expect(page.locator('.violations').first()).toContainText('days in the 30 days');
  // Saving asks for confirmation before it writes.
  await page.locator('#save-schedule').click();
  await expect(page.locator('#save-anyway')).toBeVisible();
  await page.locator('#save-anyway').click();
  await expect(page.getByRole('heading', { name: 'Platform on-call' })).toBeVisible();
});
