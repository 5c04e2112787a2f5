/**
 * Opens the local workbook preview (rendered from a real local traffic run) in headless
 * Chromium, clicks through every tab, checks every chart drew its traces and every table has
 * rows, and saves one screenshot per tab under build/screenshots/.
 * Needs Debian's `chromium` package (`apt-get install -y chromium`).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { listWorkbookTabs } from '../../lib/workbook/list-queries.js';
import type { PublishedWorkbook } from '../../lib/target.js';
import { defaultPreviewPath } from '../../lib/workbook/render-preview.js';
import { launchChromium, type Browser } from '../browser.js';
import { runLocalWorkbook, type LocalWorkbookRun } from './local-run.js';

let run: LocalWorkbookRun;
let preview: PublishedWorkbook;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  run = await runLocalWorkbook();
  // Cell F's path on the local target: publishWorkbook writes the preview.
  preview = await run.target.publishWorkbook({
    serializedData: run.serializedData,
    displayName: 'APIM Costing & Showback',
  });
  browser = await launchChromium();
  context = browser.context;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await run?.dispose();
});

describe('workbook preview in Chromium', () => {
  it('wrote the preview file where publishWorkbook says', () => {
    expect(preview.id).toBe(defaultPreviewPath());
    expect(preview.url).toMatch(/^file:\/\/.*workbook-preview\.html$/);
    expect(existsSync(preview.id)).toBe(true);
  });

  it('shows every tab with drawn charts, filled tables and tiles, offline', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    // Offline: any request other than the file itself is a failure.
    await page.route(/^(?!file:)/, (route) => {
      problems.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(preview.url);
    await page.waitForSelector('body[data-ready="true"]');
    const shots = artifactPath('build', 'screenshots');
    await mkdir(shots, { recursive: true });

    const tabs = listWorkbookTabs(run.workbook);
    expect(await page.locator('button.tab').count()).toBe(tabs.length);
    for (const tab of tabs) {
      await page.click(`button.tab[data-tab="${tab.id}"]`);
      const panel = page.locator(`section.tab-panel[data-tab="${tab.id}"]`);
      await expect.poll(() => panel.isVisible()).toBe(true);
      expect(await page.locator('section.tab-panel:visible').count(), tab.label).toBe(1);

      const charts = panel.locator('.chart');
      const chartCount = await charts.count();
      for (let i = 0; i < chartCount; i++) {
        const chart = charts.nth(i);
        const id = await chart.getAttribute('id');
        await expect
          .poll(() => chart.getAttribute('data-plotted'), { timeout: 15_000 })
          .toBe('true');
        const traces = await chart.locator('svg .trace').count();
        const marks = await chart.locator('svg path').count();
        expect(traces, `${tab.label} ${id} traces`).toBeGreaterThanOrEqual(
          Number(await chart.getAttribute('data-series')),
        );
        expect(marks, `${tab.label} ${id} svg paths`).toBeGreaterThan(0);
      }
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
      expect(chartCount + (await tables.count()) + tileValues.length, tab.label).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(shots, `${tab.id}.png`), fullPage: true });
      expect(existsSync(path.join(shots, `${tab.id}.png`))).toBe(true);
    }
    expect(await page.locator('.subtitle').textContent()).toContain(
      `${run.queries.length} queries, 0 failed`,
    );
    // Parameter values are shown with their defaults.
    expect(await page.locator('.param-value[data-param="TimeRange"]').textContent()).toBe(
      'Last 24 hours',
    );
    expect(await page.locator('.param-value[data-param="SkuLabel"]').textContent()).toBe(
      'Basic v2',
    );
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
