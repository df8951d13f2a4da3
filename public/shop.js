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

  // The cart of this device (the shop's own, in localStorage); the shop's backend tells
  // Vitrine about every change, so the cart follows a signed-in customer to her other devices.
  const CART = 'alpenhaus-warenkorb';
  const readCart = () => JSON.parse(localStorage.getItem(CART) || '[]');
  const cartRecommendations = document.getElementById('cart-recommendations');
  if (cartRecommendations) cartRecommendations.dataset.cart = readCart().map((l) => l.sku).join(',');

  // Puts one of `product` into the cart: the shop's backend tells Vitrine, the device keeps it.
  function addToCart(chosen, product) {
    return fetch('/warenkorb', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: chosen, quantity: 1 }) })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        const lines = readCart();
        const line = lines.find((l) => l.sku === chosen);
        if (line) line.quantity += 1;
        else lines.push({ sku: chosen, title: product.title, price_minor: product.price_minor, quantity: 1 });
        localStorage.setItem(CART, JSON.stringify(lines));
      });
  }

  const catalogue = fetch('/catalogue.json').then((response) => response.json());

  // The recommendation tiles' "In den Warenkorb": this shop handles it on the page (the
  // loader runs after this script, so the call is queued for it, as docs/embed.md shows).
  window.Vitrine = window.Vitrine || { q: [] };
  (window.Vitrine.on || ((...args) => window.Vitrine.q.push(['on', args])))('add-to-cart', (detail, event) => {
    event.preventDefault();
    catalogue
      .then((c) => addToCart(detail.sku, c.products.find((p) => p.sku === detail.sku) || { title: detail.sku, price_minor: 0 }))
      .then(() => toast('Im Warenkorb.'), () => toast('Konnte nicht in den Warenkorb gelegt werden.'));
  });
  function toast(text) {
    let box = document.getElementById('shop-toast');
    if (!box) {
      box = document.createElement('p');
      box.id = 'shop-toast';
      box.className = 'shop-toast';
      box.setAttribute('role', 'status');
      document.body.append(box);
    }
    box.textContent = text;
  }

  catalogue
    .then((catalogue) => {
      const grid = document.getElementById('catalogue');
      if (grid) renderGrid(grid, catalogue);
      if (document.getElementById('product')) renderProduct(catalogue);
      if (document.getElementById('cart-lines')) renderCart();
    });

  function renderCart() {
    const list = document.getElementById('cart-lines');
    const lines = readCart();
    list.replaceChildren(...lines.map((line) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = line.quantity + ' × ' + line.title;
      const price = document.createElement('span');
      price.textContent = euro.format((line.quantity * line.price_minor) / 100);
      item.append(name, price);
      return item;
    }));
    document.getElementById('cart-empty').hidden = lines.length > 0;
    document.getElementById('cart-order').disabled = lines.length === 0;
    const total = lines.reduce((sum, l) => sum + l.quantity * l.price_minor, 0);
    document.getElementById('cart-total').textContent = euro.format(total / 100);
  }

  const orderButton = document.getElementById('cart-order');
  if (orderButton) {
    orderButton.addEventListener('click', () => {
      const lines = readCart().map((l) => ({ sku: l.sku, quantity: l.quantity }));
      fetch('/bestellung', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lines }) })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((answer) => {
          localStorage.removeItem(CART);
          renderCart();
          document.getElementById('cart-done').textContent = 'Danke! Bestellung ' + answer.order_id + ' ist eingegangen.';
        })
        .catch(() => { document.getElementById('cart-done').textContent = 'Die Bestellung ist fehlgeschlagen.'; });
    });
  }

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
    const button = document.getElementById('add-to-cart');
    const status = document.getElementById('add-to-cart-status');
    button.addEventListener('click', () => {
      const select = document.getElementById('variant');
      const chosen = (select && select.value) || product.sku;
      addToCart(chosen, product)
        .then(() => { status.textContent = 'Im Warenkorb.'; })
        .catch(() => { status.textContent = 'Konnte nicht in den Warenkorb gelegt werden.'; });
    });
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
