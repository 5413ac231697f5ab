"""The simulated store's one page: place an order, see orders, refunds, stock and webhooks."""

from __future__ import annotations

from html import escape
from typing import Any

# The simulator (server.WooSimulator) renders this page: typed loosely to keep the two apart.
WooSimulator = Any

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f7;color:#1e1e1e}
header{background:#7f54b3;color:#fff;padding:12px 24px}main{max-width:1100px;margin:0 auto;padding:16px 24px}
section{background:#fff;border:1px solid #dcdcde;padding:14px 18px;margin:14px 0}
h2{font-size:17px;margin:0 0 10px}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:5px 8px;border-bottom:1px solid #dcdcde;vertical-align:top}
th{font-size:13px;color:#646970}button{background:#7f54b3;color:#fff;border:0;padding:6px 12px}
input,select{padding:4px;margin:2px}.muted{color:#646970;font-size:13px}
"""


def _lines(order: dict[str, Any]) -> str:
    return ", ".join(escape(f"{li['quantity']}× {li['sku']}") for li in order["line_items"])


def render(sim: WooSimulator) -> str:
    with sim.state.lock:
        data = sim.state.data
        items = [p for p in data["products"].values() if p["type"] != "variable"]
        options = "".join(
            f'<option value="{escape(p["sku"])}">{escape(p["sku"])} · {escape(p["name"])}</option>'
            for p in items
        )
        stock = "".join(
            f"<tr><td>{escape(p['sku'])}</td><td>{escape(p['name'])}</td>"
            f"<td>{p['stock_quantity'] if p['manage_stock'] else '—'}</td></tr>"
            for p in items
        )
        orders = (
            "".join(
                f"<tr><td>#{o['number']}</td><td>{escape(o['status'])}</td>"
                f"<td>{escape(o['billing']['email'])}</td>"
                f"<td>{_lines(o)}</td>"
                f"<td>{o['total']} {o['currency']}</td>"
                f"<td>{', '.join(escape(r['total']) for r in o['refunds']) or '—'}</td></tr>"
                for o in sorted(data["orders"].values(), key=lambda o: -o["id"])[:50]
            )
            or '<tr><td colspan="6" class="muted">No orders yet.</td></tr>'
        )
        hooks = (
            "".join(
                f"<tr><td>{w['id']}</td><td>{escape(w['topic'])}</td><td>{escape(w['status'])}</td>"
                f"<td>{escape(w['delivery_url'])}</td><td>{w['failure_count']}</td></tr>"
                for w in data["webhooks"].values()
            )
            or '<tr><td colspan="5" class="muted">No webhooks.</td></tr>'
        )
        deliveries = "".join(
            f"<tr><td>{escape(d['at'])}</td><td>{escape(d['topic'])}</td>"
            f"<td>{d['status'] if d['status'] is not None else escape(d['error'])}</td></tr>"
            for d in reversed(data["deliveries"][-20:])
        )
        name = escape(data["store"]["name"])
    return f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>{name} · WooCommerce (simulador)</title><style>{STYLE}</style></head><body>
<header><b>{name}</b> · WooCommerce simulator · REST API at {escape(sim.url)}/wp-json/wc/v3</header>
<main>
<section><h2>Place an order</h2><form method="post" action="/orders">
<label>E-mail <input name="email" value="cliente@example.com"></label>
<select name="sku">{options}</select> <input name="quantity" type="number" value="1" min="1" style="width:4em">
<label><input type="checkbox" name="complete" checked> completed (shipped)</label>
<select name="payment_method"><option value="stripe">Tarjeta (Stripe)</option>
<option value="cod">Contra reembolso</option></select> <button>Place order</button></form></section>
<section><h2>Orders</h2><table><tr><th>Order</th><th>Status</th><th>E-mail</th><th>Lines</th>
<th>Total</th><th>Refunds</th></tr>{orders}</table></section>
<section><h2>Stock</h2><table><tr><th>SKU</th><th>Product</th><th>Stock</th></tr>{stock}</table></section>
<section><h2>Webhooks</h2><table><tr><th>ID</th><th>Topic</th><th>Status</th><th>Delivery URL</th>
<th>Failures</th></tr>{hooks}</table></section>
<section><h2>Latest deliveries</h2><table><tr><th>At</th><th>Topic</th><th>Answer</th></tr>
{deliveries}</table></section>
</main></body></html>"""
