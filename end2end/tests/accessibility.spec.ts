import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { failOnConsoleErrors, logIn } from './fixtures';

// The look is for someone reading it at 4 a.m.: every page must pass axe-core's WCAG 2.1 A and AA
// rules (contrast, names, labels, landmarks) in both colour schemes, keep a visible focus ring,
// and not move under the reader's finger when the wasm takes over the server-rendered page.

failOnConsoleErrors(test);

const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Every page of the app, with real ids taken from the demo data through the API. */
async function everyPage(page: Page): Promise<string[]> {
  const json = async (url: string) => {
    const r = await page.request.get(url);
    expect(r.status(), url).toBe(200);
    return r.json();
  };
  const incident = (await json('/api/v1/incidents?status=open&limit=1')).incidents[0].number;
  const schedule = (await json('/api/v1/schedules'))[0].id;
  const service = (await json('/api/v1/services'))[0].slug;
  const policy = (await json('/api/v1/escalation-policies'))[0].id;
  const postmortem = (await json('/api/v1/postmortems?status=in_review'))[0].id;
  return [
    '/', '/incidents', '/incidents/new', `/incidents/${incident}`,
    '/oncall', '/schedules', `/schedules/${schedule}`, `/schedules/${schedule}/edit`, '/schedules/new',
    '/escalation-policies', `/escalation-policies/${policy}/edit`,
    '/services', `/services/${service}`,
    '/postmortems', '/postmortems/actions', `/postmortems/${postmortem}`, '/retro', '/analytics',
    '/admin/users', '/admin/teams', '/admin/audit', '/admin/integrations', '/admin/deliveries', '/admin/status-page',
    '/admin/postmortem-templates',
    '/settings/account', '/settings/tokens', '/settings/notifications',
    '/no-such-page',
  ];
}

async function violations(page: Page, label: string, rules?: string[]): Promise<string[]> {
  const axe = new AxeBuilder({ page }).withTags(wcag);
  const result = await (rules ? axe.withRules(rules) : axe).analyze();
  // A run that checked nothing would pass anything.
  expect(result.passes.length, `${label}: axe checked nothing`).toBeGreaterThan(0);
  return result.violations.map((v) => {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
    return `${label}: ${v.id} (${v.impact}): ${v.help} at ${where}`;
  });
}

/** Every rule in the light scheme, then the colour rules again in the dark one (no reload). */
async function bothSchemes(page: Page, url: string): Promise<string[]> {
  await page.emulateMedia({ colorScheme: 'light' });
  const found = await violations(page, `light ${url}`);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
  found.push(...await violations(page, `dark ${url}`, ['color-contrast', 'link-in-text-block']));
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

test('every page passes WCAG 2.1 AA checks in light and dark', async ({ page }) => {
  test.setTimeout(240_000);
  const found: string[] = [];

  const publicIncident = (await (await page.request.get('/api/v2/incidents.json')).json()).incidents[0].id;
  for (const url of ['/login', '/status', '/status/history', `/status/incidents/${publicIncident}`]) {
    await page.goto(url);
    found.push(...await bothSchemes(page, url));
  }
  await logIn(page, '/');
  for (const url of await everyPage(page)) {
    await page.goto(url);
    await hydrated(page);
    found.push(...await bothSchemes(page, url));
  }
  // All of them at once, so one run shows every problem.
  expect(found).toEqual([]);
});

test('the keyboard focus is always visible, starting with the skip link', async ({ page }) => {
  await logIn(page, '/incidents');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();

  // Walk the first stretch of the page by keyboard: each stop draws a ring.
  for (let i = 0; i < 15; i++) {
    const ring = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const s = getComputedStyle(el);
      return { tag: el.tagName, text: el.textContent?.trim().slice(0, 30), style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    expect(ring.style, `focus on ${ring.tag} "${ring.text}"`).not.toBe('none');
    expect(ring.width, `focus on ${ring.tag} "${ring.text}"`).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Tab');
  }

  await skip.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

test('pages do not shift when they hydrate', async ({ page }) => {
  await logIn(page, '/');
  const incident = (await (await page.request.get('/api/v1/incidents?status=open&limit=1')).json()).incidents[0].number;
  for (const url of ['/', '/incidents', `/incidents/${incident}`, '/oncall', '/schedules', '/services', '/admin/users']) {
    await page.goto(url);
    await hydrated(page);
    // Layout shifts since navigation, server render and hydration both (the observer replays the
    // buffered entries, then we give late ones a moment to arrive).
    const shifts = await page.evaluate(() => new Promise<{ total: number; nodes: string[] }>((resolve) => {
      let total = 0;
      const nodes: string[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; sources?: { node?: Node }[] }[]) {
          if (entry.hadRecentInput) continue;
          total += entry.value;
          for (const s of entry.sources ?? []) {
            const el = s.node as HTMLElement | undefined;
            nodes.push(el ? `${el.nodeName}.${el.className ?? ''}` : '?');
          }
        }
      });
      observer.observe({ type: 'layout-shift', buffered: true });
      setTimeout(() => { observer.disconnect(); resolve({ total, nodes }); }, 500);
    }));
    expect(shifts.total, `${url} shifted: ${shifts.nodes.join(', ')}`).toBeLessThan(0.001);
  }
});
