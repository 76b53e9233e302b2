// Loads the operator dashboard in headless Chromium and prints what it shows, as JSON, for DashboardIT.
// Usage: node dashboard-check.mjs <dashboard URL> <admin key> <screenshot.png> [chromium path]
import { chromium } from 'playwright-core';

const [url, adminKey, screenshot, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const context = await browser.newContext({ httpCredentials: { username: 'operator', password: adminKey },
    viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  const response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  const shown = await page.evaluate(() => {
    const text = id => document.querySelector(`[data-testid=${id}]`).textContent.trim();
    const rows = sel => [...document.querySelectorAll(sel + ' tbody tr')].map(tr => [...tr.cells].map(c => c.textContent.trim()));
    return {
      title: document.title,
      calls: text('calls-total'),
      revenue: text('revenue-total'),
      charges: text('charges-total'),
      refusals: text('refusals-total'),
      limited: text('limited-total'),
      reasons: Object.fromEntries([...document.querySelectorAll('#refusal-legend li')].map(li => [li.dataset.reason, Number(li.dataset.count)])),
      callBars: document.querySelectorAll('#chart-calls rect').length,
      revenueBars: document.querySelectorAll('#chart-revenue rect').length,
      refusalBars: document.querySelectorAll('#chart-refusals rect').length,
      endpoints: rows('#top-endpoints'),
      accounts: rows('#top-accounts'),
      pressure: rows('#pressure'),
      status: document.getElementById('status').textContent,
    };
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ status: response.status(), errors, shown }));
} finally {
  await browser.close();
}
