import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-features=LocalNetworkAccessChecks'] });
for (const width of [1280, 1024, 768, 414, 390, 360, 320]) {
  for (const path of ['/', '/product.html?sku=AH-1003', '/konto.html', '/warenkorb.html', '/dunkel.html']) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__shifts.push({ value: e.value, sources: e.sources.map(s => (s.node?.className || s.node?.nodeName || '?') + ' ' + Math.round(s.previousRect.y) + '→' + Math.round(s.currentRect.y) + ' h' + Math.round(s.previousRect.height) + '→' + Math.round(s.currentRect.height)) }); }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto('http://127.0.0.1:9081' + path);
    await page.waitForTimeout(2500);
    const shifts = await page.evaluate(() => window.__shifts);
    const heights = await page.evaluate(() => [...document.querySelectorAll('[data-vitrine]')].map(e => e.dataset.vitrine.slice(0,5) + ':' + Math.round(e.getBoundingClientRect().height)).join(' ') + ' sw' + document.documentElement.scrollWidth);
    console.log(width, path.padEnd(26), 'CLS', shifts.reduce((a, s) => a + s.value, 0).toFixed(4), heights, JSON.stringify(shifts.map(s=>s.sources)));
    await page.close();
  }
}
await browser.close();
