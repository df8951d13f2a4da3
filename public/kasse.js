// The till simulator: a store's point of sale. It rings up a receipt, with the customer's
// loyalty card if she shows one, and sends it to the shop's backend (/kasse/bon), which
// reports it to Vitrine as a till export would.
'use strict';

(function () {
  const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });
  const points = new Intl.NumberFormat('de-DE');
  const lines = [];
  let products = [];

  fetch('/catalogue.json')
    .then((response) => response.json())
    .then((catalogue) => {
      products = catalogue.products;
      document.getElementById('till-store').append(...catalogue.stores.map((s) => new Option(s.name, s.store_id)));
      document.getElementById('till-product').append(...products.map((p) => new Option(p.sku + ' · ' + p.title + ' · ' + euro.format(p.price_minor / 100), p.sku)));
    });

  function render() {
    const list = document.getElementById('till-lines');
    list.replaceChildren(...lines.map((line) => {
      const item = document.createElement('li');
      const product = products.find((p) => p.sku === line.sku);
      item.textContent = line.quantity + ' × ' + product.title + ' · ' + euro.format((line.quantity * product.price_minor) / 100);
      return item;
    }));
  }

  document.getElementById('till-add').addEventListener('click', () => {
    const sku = document.getElementById('till-product').value;
    const quantity = Math.max(1, Math.min(99, Number(document.getElementById('till-quantity').value) || 1));
    const line = lines.find((l) => l.sku === sku);
    if (line) line.quantity += quantity;
    else lines.push({ sku, quantity });
    render();
  });

  document.getElementById('till').addEventListener('submit', (event) => {
    event.preventDefault();
    const result = document.getElementById('till-result');
    if (!lines.length) {
      result.textContent = 'Der Bon ist leer.';
      return;
    }
    const receipt = {
      store_id: document.getElementById('till-store').value,
      card: document.getElementById('till-card').value || null,
      lines,
    };
    fetch('/kasse/bon', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(receipt) })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((answer) => {
        lines.length = 0;
        render();
        result.textContent = 'Bon ' + answer.order_id + ' gebucht.' +
          (answer.customer ? ' ' + answer.customer + ' hat jetzt ' + points.format(answer.balance ?? 0) + ' Punkte.' : '');
      })
      .catch(() => { result.textContent = 'Der Bon konnte nicht gebucht werden.'; });
  });
})();
