import { test, expect } from '@playwright/test';
import { failOnConsoleErrors, logInAs } from './fixtures';

// /retro on the demo: last week of Platform, walked as a team walks it in the meeting.

failOnConsoleErrors(test);

test('the team marks a page documented, agrees an action, covers a woken teammate and holds the retro', async ({ page }) => {
  // Priya leads Platform: the screen opens on her team's last week.
  await logInAs(page, 'priya@example.com', '/retro');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Retro: Platform, ');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#retro-agenda li').first()).toContainText(/\d+ pages \(/);
  await expect(page.locator('#row-spark-pages svg[role="img"]')).toBeVisible();
  const rows = page.locator('#retro-page-table tbody tr');
  expect(await rows.count()).toBeGreaterThan(0);

  // Mark the first page documented, with its runbook, as needing automation.
  const first = rows.first();
  const id = (await first.getAttribute('id'))!;
  await first.getByRole('checkbox', { name: /Resolution documented/ }).check();
  await first.getByRole('textbox', { name: /Runbook/ }).fill('https://wiki.example.com/runbooks/core-api');
  await first.getByRole('combobox', { name: /Automation/ }).selectOption('needs_automation');
  await first.getByRole('button', { name: /^Save page/ }).click();
  await expect(page.locator(`#${id} input[type="checkbox"]`)).toBeChecked();
  await page.reload();
  await expect(page.locator(`#${id} input[type="checkbox"]`)).toBeChecked();
  await expect(page.locator(`#${id} select`)).toHaveValue('needs_automation');
  await expect(page.locator('#row-spark-documented td').nth(4)).not.toHaveText('0%');

  // An action with an owner.
  await page.getByLabel('Action', { exact: true }).fill('Alert on connection pool saturation');
  await page.getByLabel('Owner').selectOption({ label: 'Sam Carter' });
  await page.getByRole('button', { name: 'Add action' }).click();
  await expect(page.locator('#retro-action-list')).toContainText('Alert on connection pool saturation — Sam Carter');

  // Someone was woken: cover their next morning with an override.
  const offer = page.locator('.cover-form').first();
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: /^Cover .*'s morning$/ }).click();
  await expect(page.getByText('Override booked: their morning is covered.')).toBeVisible();

  // The mood check shows only the team's figure.
  await page.getByRole('radio', { name: '4' }).check();
  await page.getByRole('button', { name: 'Answer' }).click();
  await expect(page.locator('#mood-summary')).toContainText('1 answers, average 4.0 of 5');

  // Held, with who came.
  await page.getByRole('checkbox', { name: 'Priya Shah' }).check();
  await page.getByRole('checkbox', { name: 'Sam Carter' }).check();
  await page.getByRole('button', { name: 'Mark the retro held' }).click();
  await expect(page.locator('#retro-held-banner')).toContainText('attended: Priya Shah, Sam Carter');
});
