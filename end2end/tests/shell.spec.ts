import { test, expect, Page } from '@playwright/test';
import { admin, failOnConsoleErrors } from './fixtures';

const consoleCheck = failOnConsoleErrors(test);

async function waitForHydration(page: Page) {
  // A click before the wasm has taken over would be lost: wait for the app's own marker.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function logIn(page: Page, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

test('a page needs a session and comes back after login', async ({ page }) => {
  await page.goto('/services');
  await expect(page).toHaveURL(/\/login\?next=\/services$/);
  await logIn(page, '/services');
  await expect(page).toHaveURL(/\/services$/);
  await expect(page.getByRole('heading', { name: 'Services' })).toBeVisible();
  await expect(page.getByRole('cell', { name: /Core API/ })).toBeVisible();
  await waitForHydration(page);
});

test('the app shell hydrates, the user menu works, and logout ends the session', async ({ page }) => {
  await logIn(page);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await waitForHydration(page);

  // Client-side interaction: the menu opens without a page load.
  const menuButton = page.getByRole('button', { name: /Alex Morgan|Administrator/ });
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false');
  await menuButton.click();
  await expect(menuButton).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('#user-menu-panel').getByText(admin.email)).toBeVisible();
  // Keyboard: Escape closes it.
  await page.keyboard.press('Escape');
  await expect(menuButton).toHaveAttribute('aria-expanded', 'false');

  // Client-side navigation keeps the shell.
  await page.getByRole('link', { name: 'Postmortems' }).click();
  await expect(page.getByRole('heading', { name: 'Postmortems', level: 1 })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Queue' })).toBeVisible();

  await menuButton.click();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=\/$/);
});

test('an admin creates an API token in the browser and it works on the API', async ({ page, request }) => {
  await logIn(page, '/settings/tokens');
  await waitForHydration(page);
  await page.getByLabel('Label').fill('e2e token');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.locator('#new-token-value').textContent())?.trim() ?? '';
  expect(token).toMatch(/^tocsin_[A-Za-z0-9]{32}$/);

  const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).email).toBe(admin.email);
  const anonymous = await request.get('/api/v1/me', { headers: { Cookie: '' } });
  expect(anonymous.status()).toBe(401);

  await page.getByRole('button', { name: 'Revoke e2e token' }).click();
  await expect(page.getByText('revoked', { exact: true })).toBeVisible();
  const after = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
});

test('an admin adds a user, changes their role and disables them', async ({ page }) => {
  await logIn(page, '/admin/users');
  await waitForHydration(page);
  const form = page.getByRole('region', { name: 'Add a user' });
  await form.getByLabel('Email').fill('casey@example.com');
  await form.getByLabel('Name').fill('Casey Jones');
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByLabel('Time zone').fill('Asia/Tokyo');
  await form.getByLabel('Initial password').fill('casey password 123');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(form.getByRole('status')).toHaveText('Added casey@example.com as viewer.');
  const row = page.getByRole('row', { name: /Casey Jones/ });
  await expect(row).toContainText('Asia/Tokyo');

  // A bad time zone is refused with the field and the reason, and nothing is added.
  await form.getByLabel('Email').fill('dana@example.com');
  await form.getByLabel('Name').fill('Dana');
  await form.getByLabel('Time zone').fill('Mars/Base');
  await form.getByLabel('Initial password').fill('dana password 1234');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(form.getByRole('alert')).toContainText("time_zone: 'Mars/Base' is not an IANA time zone");
  await expect(page.getByRole('row', { name: /Dana/ })).toHaveCount(0);

  await row.getByLabel('Role of Casey Jones').selectOption('responder');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.getByLabel('Role of Casey Jones')).toHaveValue('responder');
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row.getByRole('button', { name: 'Enable' })).toBeVisible();
  await expect(row).toContainText('disabled');
});

test('an admin makes a team, gives it a lead and a service', async ({ page }) => {
  await logIn(page, '/admin/teams');
  await waitForHydration(page);
  const newTeam = page.getByRole('region', { name: 'Add a team' });
  await newTeam.getByLabel('Name').fill('Mobile');
  await newTeam.getByRole('button', { name: 'Add team' }).click();
  const team = page.getByRole('region', { name: /^Mobile/ });
  await expect(team).toContainText('Owns no service yet.');
  await team.getByLabel('Add or change').selectOption({ label: 'Priya Shah' });
  await team.getByLabel('Team role').selectOption('lead');
  await team.getByRole('button', { name: 'Save' }).click();
  await expect(team.getByRole('listitem')).toContainText(['Priya Shahlead']);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
  const form = page.getByRole('region', { name: 'Add a service' });
  await form.getByLabel('Name').fill('Mobile API');
  await form.getByLabel('Owning team').selectOption({ label: 'Mobile' });
  await form.getByRole('button', { name: 'Add service' }).click();
  await expect(form.getByRole('status')).toHaveText('Added Mobile API (mobile-api).');
  await expect(page.getByRole('row', { name: /Mobile API/ })).toContainText('Mobile');
});

test('an incident runs from declared to resolved, live in a second page', async ({ page, context }) => {
  await logIn(page, '/');
  await waitForHydration(page);
  // A second tab on the dashboard: it must see the new incident without a reload.
  const dashboard = await context.newPage();
  consoleCheck.watch(dashboard);
  await dashboard.goto('/');
  await waitForHydration(dashboard);
  await expect(dashboard.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();

  await page.goto('/incidents/new');
  await waitForHydration(page);
  await page.getByLabel('What is wrong?').fill('Checkout returns 500s');
  await page.getByLabel('Severity').selectOption('SEV2');
  await page.getByLabel('Yes').check();
  await page.getByLabel('Core API').check();
  await page.getByLabel('What do we know so far?').fill('Errors since 14:02.');
  await page.getByRole('button', { name: 'Declare incident' }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d+$/);
  const number = page.url().split('/').pop()!;
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Checkout returns 500s');
  await expect(page.locator('#incident-status')).toHaveText('triggered');

  const row = dashboard.locator(`tr[data-number="${number}"]`);
  await expect(row).toContainText('Checkout returns 500s', { timeout: 5_000 });
  await expect(row).toHaveClass(/changed/);
  await expect(row).toContainText('triggered');

  await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
  await expect(page.locator('#incident-status')).toHaveText('acknowledged');
  await expect(row).toContainText('acknowledged', { timeout: 5_000 });

  await page.getByLabel('Assign commander').selectOption({ label: 'Alex Morgan (me)' });
  await page.locator('tr', { has: page.getByLabel('Assign commander') }).getByRole('button', { name: 'Assign' }).click();
  await expect(page.locator('#incident-roles')).toHaveText('commander: Alex Morgan');
  await expect(row).toContainText('Alex Morgan', { timeout: 5_000 });

  await page.getByLabel('Add a note').fill('Rolled back **deploy 412**; errors falling.');
  await page.getByRole('button', { name: 'Add note' }).click();
  const timeline = page.locator('#timeline-list > li');
  const note = timeline.filter({ hasText: 'Rolled back' });
  await expect(note.locator('strong', { hasText: 'deploy 412' })).toBeVisible();
  await note.getByRole('button', { name: 'Pin as papertrail' }).click();
  await expect(page.locator('#pinned-list')).toContainText('Rolled back deploy 412');
  await expect(note.getByRole('button', { name: 'Unpin' })).toBeVisible();

  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(page.locator('#incident-status')).toHaveText('resolved');
  await expect(row).toContainText('resolved', { timeout: 5_000 });
  // A closed incident says how long it lasted, not an age that reads as "resolved that long ago".
  await expect(row.locator('time')).toHaveText(/^lasted \d+m$/);

  // Newest first: every step, each with its author and time (paging entries aside: the demo
  // routes the service to an escalation policy, whose engine writes its own).
  // Resolving a SEV2 opened its postmortem, the newest entry.
  const steps = page.locator('#timeline-list > li:not([class*="kind-page_"])');
  await expect(steps).toHaveCount(6);
  await expect(steps.nth(0)).toContainText('Postmortem opened');
  await expect(steps.nth(1)).toContainText('acknowledged -> resolved');
  await expect(steps.nth(2)).toContainText('Rolled back');
  await expect(steps.nth(3)).toContainText('Alex Morgan is commander');
  await expect(steps.nth(4)).toContainText('triggered -> acknowledged');
  await expect(steps.nth(5)).toContainText('Declared as SEV2');
  for (let i = 0; i < 6; i++) {
    await expect(steps.nth(i).locator('.author')).toHaveText('Alex Morgan');
    await expect(steps.nth(i).locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
  }
  await dashboard.close();
});

test('the dashboard filters incidents and severity changes with a reason', async ({ page }) => {
  await logIn(page, '/incidents?status=open');
  await waitForHydration(page);
  const rows = page.locator('#incidents-table tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const status of await rows.locator('td:nth-child(3)').allTextContents()) {
    expect(['triggered', 'acknowledged', 'mitigated']).toContain(status);
  }
  await page.getByRole('searchbox', { name: 'Search' }).fill('zzzz-nothing-matches');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/q=zzzz-nothing-matches/);
  await expect(page.locator('#no-incidents')).toBeVisible();

  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(rows.first()).toBeVisible();
  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d+$/);
  await page.getByLabel('Severity', { exact: true }).selectOption('SEV1');
  await page.getByLabel('Reason').fill('every region affected');
  await page.getByRole('button', { name: 'Change severity' }).click();
  await expect(page.locator('#incident-severity')).toHaveText('SEV1');
  await expect(page.locator('#timeline-list > li').first()).toContainText(': every region affected');
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the login form works and a wrong password gets one generic message', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toHaveText('That email and password do not match an active account.');

    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    // The shell is in the server's HTML, not added later by the wasm.
    await expect(page.getByRole('button', { name: /Alex Morgan/ })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Admin' })).toBeVisible();
  });
});

test('a person changes their password on the account page and their other sessions end', async ({ page, browser, request, baseURL }) => {
  // A person of their own, made through the API as the admin, so the admin's password stays.
  const origin = { Origin: baseURL ?? '' };
  await request.post('/auth/login', { form: { email: admin.email, password: admin.password, next: '/' }, headers: origin, maxRedirects: 0 });
  const who = { email: 'sam.okafor@example.com', name: 'Sam Okafor', role: 'responder', time_zone: 'Europe/London', password: 'sam first password' };
  expect((await request.post('/api/v1/users', { data: who, headers: origin })).status()).toBe(201);

  const signIn = async (p: Page, next: string) => {
    await p.goto(`/login?next=${encodeURIComponent(next)}`);
    await p.getByLabel('Email').fill(who.email);
    await p.getByLabel('Password').fill(who.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await expect(p.locator('body')).toHaveAttribute('data-hydrated', 'true');
  };
  const phoneContext = await browser.newContext();
  const phone = await phoneContext.newPage();
  await signIn(phone, '/');
  await signIn(page, '/settings/account');
  await waitForHydration(page);

  await page.getByLabel('Current password').fill('not the password');
  await page.getByLabel('New password').fill('sam second password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toContainText('not your current password');

  await page.getByLabel('Current password').fill(who.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toHaveText('Password changed. Your other sessions have ended.');

  // This browser stays signed in; the phone is signed out.
  await page.goto('/settings/account');
  await expect(page.getByRole('heading', { name: 'Account' })).toBeVisible();
  await phone.goto('/');
  await expect(phone).toHaveURL(/\/login\?next=\/&error=expired$/);
  await phoneContext.close();
});
