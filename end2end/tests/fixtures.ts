import { expect, Page, TestType } from '@playwright/test';

// The first admin the server under test is started with (see playwright.config.ts).
export const admin = { email: 'admin@example.com', password: 'e2e admin password 1' };

// Any console error or uncaught exception (a hydration mismatch panics in the wasm) fails the test.
// A refused request (4xx) is logged by the browser too; refusals are what some tests check for.
const refusal = /^Failed to load resource: the server responded with a status of 4\d\d/;

/** Registers the hooks; `watch` adds another page (a second tab) to the same check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function failOnConsoleErrors(test: TestType<any, any>): { watch: (page: Page) => void } {
  let problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => { if (m.type() === 'error' && !refusal.test(m.text())) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
  };
  test.beforeEach(async ({ page }) => {
    problems = [];
    watch(page);
  });
  test.afterEach(() => {
    expect(problems).toEqual([]);
  });
  return { watch };
}

/** Logs the admin in and lands on `next` once the app has hydrated (a click before would be lost). */
export async function logIn(page: Page, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Logs a demo user in (they share the admin's password in the test server) in `page`. */
export async function logInAs(page: Page, email: string, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}
