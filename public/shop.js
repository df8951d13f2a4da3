// The demo shop's own script: renders the catalogue grid and the product page from the
// shop's catalogue.json. Plain JavaScript on purpose: Vitrine is embedded, not built in.
'use strict';

(function () {
  const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
  const sku = new URLSearchParams(location.search).get('sku');
  const widget = document.getElementById('recommendations');
  const availability = document.getElementById('availability');
  // Synchronously, so the Vitrine loader (a module, run after parsing) sees the SKU.
  if (widget && sku) widget.dataset.sku = sku;
  if (availability && sku) availability.dataset.sku = sku;

  fetch('/catalogue.json')
    .then((response) => response.json())
    .then((catalogue) => {
      const grid = document.getElementById('catalogue');
      if (grid) renderGrid(grid, catalogue);
      if (document.getElementById('product')) renderProduct(catalogue);
    });

  function renderGrid(grid, catalogue) {
    for (const product of catalogue.products) {
      const item = document.createElement('li');
      item.className = 'shop-card';
      const link = document.createElement('a');
      link.href = '/product.html?sku=' + encodeURIComponent(product.sku);
      const image = document.createElement('img');
      image.src = '/images/' + product.sku + '.svg';
      image.alt = '';
      image.width = 160;
      image.height = 160;
      const title = document.createElement('span');
      title.textContent = product.title;
      const price = document.createElement('strong');
      price.textContent = euro.format(product.price_minor / 100);
      link.append(image, title, price);
      item.append(link);
      grid.append(item);
    }
  }

  function renderProduct(catalogue) {
    const product = catalogue.products.find((p) => p.sku === sku) || catalogue.products[0];
    const category = catalogue.categories.find((c) => c.id === product.category);
    document.title = product.title + ' – Alpenhaus (Vitrine-Demo)';
    document.getElementById('crumb-category').textContent = category ? category.name : '';
    document.getElementById('product-image').src = '/images/' + product.sku + '.svg';
    document.getElementById('product-title').textContent = product.title;
    document.getElementById('product-price').textContent = euro.format(product.price_minor / 100);
    document.getElementById('product-description').textContent = product.description;
    document.getElementById('product').dataset.sku = product.sku;
    // Without ?sku= the page shows the first product; the widget waits for its SKU.
    if (availability) availability.dataset.sku = product.sku;
    renderSizes(product);
  }

  // Sizes are sold under their own SKUs: choosing one switches the availability widget to
  // it (Vitrine follows data-sku by itself); "no size chosen" is the product's own SKU.
  function renderSizes(product) {
    const variants = product.variants || [];
    if (!variants.length) return;
    const select = document.getElementById('variant');
    const none = new Option('Bitte wählen', product.sku);
    select.append(none, ...variants.map((v) => new Option(v.label, v.sku)));
    select.addEventListener('change', () => {
      if (availability) availability.dataset.sku = select.value;
    });
    document.getElementById('variant-picker').hidden = false;
  }
})();
