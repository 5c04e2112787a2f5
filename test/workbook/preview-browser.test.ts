/**
 * Opens the local workbook preview (rendered from a real local traffic run) in headless
 * Chromium, clicks through every tab, checks every chart drew its traces and every table has
 * rows (each item the issue names among them), and saves one screenshot per tab under
 * build/screenshots/; then renders the workbook over a generated month of traffic for the
 * default 30-day range and saves the AI tab (ai-30-days.png) and the detail tab.
 * Needs Debian's `chromium` package (`apt-get install -y chromium`).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { executeQuery } from '../../lib/kql/index.js';
import type { PublishedWorkbook } from '../../lib/target.js';
import { listWorkbookTabs } from '../../lib/workbook/list-queries.js';
import {
  defaultPreviewPath,
  renderWorkbookPreview,
  type WorkbookPreview,
} from '../../lib/workbook/render-preview.js';
import { launchChromium, type Browser } from '../browser.js';
import { runLocalWorkbook, type LocalWorkbookRun } from './local-run.js';
import { monthOfTraffic, type MonthOfTraffic } from './month-of-traffic.js';
import { ORIGINAL_ITEMS } from './original-items.js';

let run: LocalWorkbookRun;
let preview: PublishedWorkbook;
let month: MonthOfTraffic;
let monthPreview: WorkbookPreview;
let browser: Browser;
let context: BrowserContext;
const shots = artifactPath('build', 'screenshots');

beforeAll(async () => {
  run = await runLocalWorkbook();
  // Cell F's path on the local target: publishWorkbook writes the preview.
  preview = await run.target.publishWorkbook({
    serializedData: run.serializedData,
    displayName: 'APIM Costing & Showback',
  });
  // A month of traffic ending now, rendered for the default 30-day range.
  const now = new Date();
  month = monthOfTraffic(run.config, run.deployment, now);
  monthPreview = await renderWorkbookPreview({
    serializedData: run.serializedData,
    displayName: 'APIM Costing & Showback (a month of generated traffic)',
    target: { queryLogs: (query) => Promise.resolve(executeQuery(query, month.store, { now })) },
    outFile: artifactPath('build', 'workbook-preview-30-days.html'),
    now,
  });
  browser = await launchChromium();
  context = browser.context;
  await mkdir(shots, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await run?.dispose();
});

/** Opens a preview offline; problems collects page errors and any network request. */
async function open(url: string, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  // Offline: any request other than the file itself is a failure.
  await page.route(/^(?!file:)/, (route) => {
    problems.push(`network request: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/** Shows a tab and waits until each of its visible charts has drawn its series. */
async function showTab(page: Page, tab: string): Promise<void> {
  await page.click(`button.tab[data-tab="${tab}"]`);
  const panel = page.locator(`section.tab-panel[data-tab="${tab}"]`);
  await expect.poll(() => panel.isVisible()).toBe(true);
  const all = panel.locator('.chart');
  for (let i = 0; i < (await all.count()); i++) {
    const chart = all.nth(i);
    // Charts in a closed collapsible group are drawn when it opens.
    if (await chart.evaluate((e) => e.closest('details:not([open])') !== null)) continue;
    await expect.poll(() => chart.getAttribute('data-plotted'), { timeout: 15_000 }).toBe('true');
    const id = await chart.getAttribute('id');
    expect(await chart.locator('svg .trace').count(), `${tab} ${id} traces`).toBeGreaterThanOrEqual(
      Number(await chart.getAttribute('data-series')),
    );
    expect(await chart.locator('svg path').count(), `${tab} ${id} svg paths`).toBeGreaterThan(0);
  }
}

describe('workbook preview in Chromium', () => {
  it('wrote the preview file where publishWorkbook says', () => {
    expect(preview.id).toBe(defaultPreviewPath());
    expect(preview.url).toMatch(/^file:\/\/.*workbook-preview\.html$/);
    expect(existsSync(preview.id)).toBe(true);
  });

  it('shows every tab with drawn charts, filled tables and tiles, offline', async () => {
    const problems: string[] = [];
    const page = await open(preview.url, problems);
    const tabs = listWorkbookTabs(run.workbook);
    expect(await page.locator('button.tab').count()).toBe(tabs.length);
    for (const tab of tabs) {
      await showTab(page, tab.id);
      const panel = page.locator(`section.tab-panel[data-tab="${tab.id}"]`);
      expect(await page.locator('section.tab-panel:visible').count(), tab.label).toBe(1);
      const tables = panel.locator('table.grid');
      for (let i = 0; i < (await tables.count()); i++) {
        expect(
          await tables.nth(i).locator('tbody tr').count(),
          `${tab.label} table ${i}`,
        ).toBeGreaterThan(0);
      }
      const tileValues = await panel.locator('.tile-value').allTextContents();
      for (const v of tileValues) expect(v, tab.label).toMatch(/^-?[\d,.]+$/);
      expect(await panel.locator('.error').count(), `${tab.label} errors`).toBe(0);
      expect(await panel.locator('.item.query').count(), tab.label).toBeGreaterThan(0);
      const charts = await panel.locator('.chart').count();
      expect(charts + (await tables.count()) + tileValues.length, tab.label).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(shots, `${tab.id}.png`), fullPage: true });
      expect(existsSync(path.join(shots, `${tab.id}.png`))).toBe(true);
    }
    // The Overview's guidance opens group by group, as in the portal.
    await showTab(page, 'overview');
    const groups = page.locator('section.tab-panel[data-tab="overview"] details.collapsible');
    expect(await groups.count()).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < (await groups.count()); i++) await groups.nth(i).locator('summary').click();
    expect(await page.locator('details.collapsible:not([open])').count()).toBe(0);
    await page.screenshot({ path: path.join(shots, 'overview-expanded.png'), fullPage: true });
    expect(await page.locator('.subtitle').textContent()).toContain(
      `${run.queries.length} queries, 0 failed`,
    );
    // Parameter values are shown with their defaults.
    expect(await page.locator('.param-value[data-param="TimeRange"]').textContent()).toBe(
      'Last 30 days',
    );
    expect(await page.locator('.param-value[data-param="SkuLabel"]').textContent()).toBe(
      'Basic v2',
    );
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('renders every item the issue names: tables with rows, charts with traces, tiles with subtitles', async () => {
    const problems: string[] = [];
    const page = await open(preview.url, problems);
    // Open every collapsible group so the items inside are laid out.
    for (const d of await page.locator('details.collapsible').all())
      await d.evaluate((e) => e.setAttribute('open', ''));
    for (const want of ORIGINAL_ITEMS) {
      const el = page.locator(`[data-name="${want.name}"]`).first();
      expect(await el.count(), want.name).toBe(1);
      const tab = await el.evaluate(
        (e) => e.closest('section.tab-panel')?.getAttribute('data-tab') ?? '',
      );
      // Items outside the tabs (the shared parameters) show on every tab.
      if (tab !== '') await showTab(page, tab);
      if (want.kind === 'table')
        expect(await el.locator('tbody tr').count(), want.name).toBeGreaterThan(0);
      if (want.kind === 'chart') {
        const chart = el.locator('.chart');
        await expect
          .poll(() => chart.getAttribute('data-plotted'), { timeout: 15_000 })
          .toBe('true');
        expect(await chart.locator('svg .trace').count(), want.name).toBeGreaterThan(0);
      }
      if (want.kind === 'tiles') {
        expect(await el.locator('.tile').count(), want.name).toBeGreaterThan(0);
        expect(await el.locator('.tile-subtitle').count(), want.name).toBeGreaterThan(0);
      }
      if (want.kind === 'parameters')
        expect(await el.locator(`[data-param="${want.parameter}"]`).count(), want.name).toBe(1);
      if (want.kind === 'group') expect(await el.locator('summary').count(), want.name).toBe(1);
    }
    // The base cost threshold line is drawn on the base vs variable chart.
    const bvv = page.locator('[data-name="subscription-base-vs-variable"] .chart');
    await showTab(page, 'subscription');
    expect(await bvv.locator('.shapelayer path').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('reads a month of traffic for the 30-day range: trends as lines, the detail capped at Max rows', async () => {
    expect(monthPreview.failed).toBe(0);
    expect(month.buRequests).toBeGreaterThan(10_000);
    const outcome = (name: string) => monthPreview.outcomes.find((o) => o.query.name === name);
    // The query itself stops at Max rows: a month of traffic is not loaded to show a page.
    expect(outcome('detail-requests')?.result?.table.rows).toHaveLength(1000);
    expect(outcome('detail-record-count')?.result?.table.rows[0]).toEqual([
      'Record count',
      month.buRequests,
      `showing 1000 of ${month.buRequests} (Max rows)`,
    ]);
    // The 30-day grain: tens of points per series, not 720 hourly ones nor a single dot.
    const trend = outcome('ai-token-trend-by-bu')?.result?.table;
    const bins = new Set(trend?.rows.map((r) => r[0]));
    expect(bins.size).toBeGreaterThanOrEqual(30);
    expect(bins.size).toBeLessThanOrEqual(100);

    const problems: string[] = [];
    const page = await open(monthPreview.url, problems);
    await showTab(page, 'ai');
    await page.screenshot({ path: path.join(shots, 'ai-30-days.png'), fullPage: true });
    await showTab(page, 'subscription');
    await page.screenshot({ path: path.join(shots, 'subscription-30-days.png'), fullPage: true });
    await showTab(page, 'detail');
    expect(await page.locator('[data-name="detail-requests"] tbody tr').count()).toBe(1000);
    expect(existsSync(path.join(shots, 'ai-30-days.png'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);
});
