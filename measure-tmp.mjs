import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-features=LocalNetworkAccessChecks'] });
const pages = ['/product.html?sku=AH-1003', '/product.html?sku=AH-1001'];
for (const path of pages) {
  for (const width of [320, 360, 390, 414, 600, 768, 1024, 1280]) {
    const out = [];
    for (const hold of [true, false]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      if (hold) await page.route(/\/v1\/batch/, () => {});
      await page.goto('http://127.0.0.1:9081' + path);
      await page.waitForTimeout(hold ? 1500 : 2500);
      out.push(await page.evaluate(() => [...document.querySelectorAll('[data-vitrine]')].map(e => e.dataset.vitrine.slice(0,5) + ':' + Math.round(e.getBoundingClientRect().height*10)/10 + '/w' + Math.round(e.getBoundingClientRect().width)).join(' ') + ' sw' + document.documentElement.scrollWidth));
      await page.close();
    }
    console.log(path.padEnd(26), String(width).padStart(5), 'skeleton', out[0].padEnd(40), 'final', out[1]);
  }
}
await browser.close();
