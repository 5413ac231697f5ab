"""The simulated store's one page: place an order, ask for a return, watch what happened."""

from __future__ import annotations

from html import escape
from typing import Any

# The simulator (server.ShopSimulator) renders this page: typed loosely to keep the two apart.
ShopSimulator = Any

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f6f7;color:#202223}
header{background:#1a1c1d;color:#fff;padding:12px 24px}header b{color:#95bf47}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
section{background:#fff;border-radius:10px;box-shadow:0 1px 2px #0002;padding:14px 18px;margin:14px 0}
h2{font-size:17px;margin:0 0 10px}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:5px 8px;border-bottom:1px solid #e1e3e5;vertical-align:top}
th{font-size:13px;color:#6d7175}button{background:#008060;color:#fff;border:0;border-radius:6px;
padding:6px 12px;cursor:pointer}label{margin-right:10px}input,select{padding:4px;margin:2px}
.muted{color:#6d7175;font-size:13px}.tag{display:inline-block;background:#e4e5e7;border-radius:8px;
padding:0 7px;font-size:12px;margin-right:4px}form.inline{display:inline}
"""


def _variant_options(sim: ShopSimulator) -> str:
    options = ['<option value="">—</option>']
    for variant in sim.state.data["variants"].values():
        product = sim.state.product(variant["product_id"])
        label = f"{variant['sku']} · {product['title']} {' / '.join(variant['options'].values())}"
        options.append(f'<option value="{escape(variant["sku"])}">{escape(label)}</option>')
    return "".join(options)


def _order_rows(sim: ShopSimulator) -> str:
    rows = []
    orders = sorted(sim.state.data["orders"].values(), key=lambda o: -o["id"])[:30]
    for order in orders:
        lines = []
        for li in order["line_items"]:
            lines.append(
                f"{li['quantity']} × {escape(li['sku'])} {escape(li['title'])} "
                f'<form class="inline" method="post" action="/returns">'
                f'<input type="hidden" name="order_id" value="{order["id"]}">'
                f'<input type="hidden" name="line_item_id" value="{li["id"]}">'
                f'<input type="number" name="quantity" value="1" min="1" max="{li["quantity"]}" style="width:3em">'
                f'<select name="reason"><option>SIZE_TOO_SMALL</option><option>SIZE_TOO_LARGE</option>'
                f"<option>DEFECTIVE</option><option>NOT_AS_DESCRIBED</option><option>UNWANTED</option>"
                f"<option>WRONG_ITEM</option></select>"
                f"<button>Ask for a return</button></form>"
            )
        shipping = ", ".join(
            f"{escape(f['name'])} {escape(f['shipment_status'] or 'fulfilled')}"
            for f in order["fulfillments"]
        )
        if not order["fulfillments"] or any(
            f["shipment_status"] != "delivered" for f in order["fulfillments"]
        ):
            shipping += (
                f' <form class="inline" method="post" action="/deliver"><input type="hidden" '
                f'name="order_id" value="{order["id"]}"><button>Fulfil and deliver</button></form>'
            )
        returns = [sim.state.data["returns"][str(r)] for r in order["return_ids"]]
        refunds = [
            f"{t['amount']} {order['currency']} to {t['gateway']}"
            for r in order["refunds"]
            for t in r["transactions"]
        ] + [
            f"{c['amount']} {c['currency']} store credit"
            for r in order["refunds"]
            for c in r["store_credit"]
        ]
        rows.append(
            f"<tr><td><b>{escape(order['name'])}</b><br><span class=muted>{order['id']}<br>"
            f"{escape(order['created_at'])}</span></td><td>{escape(order['email'])}</td>"
            f"<td>{'<br>'.join(lines)}</td><td>{shipping}</td>"
            f"<td>{'<br>'.join(escape(r['name'] + ' ' + r['status']) for r in returns)}</td>"
            f"<td>{'<br>'.join(escape(r) for r in refunds)}</td>"
            f"<td>{''.join(f'<span class=tag>{escape(t)}</span>' for t in order['tags'])}</td></tr>"
        )
    return "".join(rows) or '<tr><td colspan="7" class="muted">No orders yet.</td></tr>'


def _stock_rows(sim: ShopSimulator) -> str:
    rows = []
    locations = sim.state.data["locations"]
    for variant in sim.state.data["variants"].values():
        cells = "".join(
            f"<td>{sim.state.available(variant['inventory_item_id'], loc['id'])}</td>"
            for loc in locations
        )
        rows.append(f"<tr><td>{escape(variant['sku'])}</td>{cells}</tr>")
    head = "".join(f"<th>{escape(loc['name'])}</th>" for loc in locations)
    return f"<tr><th>SKU</th>{head}</tr>{''.join(rows)}"


def _webhook_rows(sim: ShopSimulator) -> str:
    log: list[dict[str, Any]] = list(reversed(sim.state.data.get("webhook_log") or []))[:25]
    queued = len(sim.state.data.get("webhook_queue") or [])
    rows = [
        f"<tr><td>{escape(e['at'])}</td><td>{escape(e['topic'])}</td><td>{e['attempt']}</td>"
        f"<td>{e['status'] or escape(e['error'])}</td></tr>"
        for e in log
    ]
    return (
        f'<p class="muted">To {escape(str(sim.sender.url))} · {queued} waiting</p><table>'
        f"<tr><th>Sent</th><th>Topic</th><th>Attempt</th><th>Answer</th></tr>{''.join(rows)}</table>"
    )


def render(sim: ShopSimulator) -> str:
    with sim.state.lock:
        shop = sim.state.data["shop"]
        options = _variant_options(sim)
        picks = "".join(
            f'<label>SKU <select name="sku{i}">{options}</select></label>'
            f'<label>Qty <input type="number" name="quantity{i}" value="1" min="1" style="width:3em"></label><br>'
            for i in range(1, 4)
        )
        return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(shop["name"])} · Shopify simulator</title><style>{STYLE}</style></head><body>
<header><b>shop-sim</b> · {escape(shop["name"])} · {escape(sim.domain)} · Admin API
{escape(sim.url)}/admin/api/2026-04/graphql.json</header><main>
<section><h2>Place an order</h2><form method="post" action="/orders">
<label>E-mail <input name="email" value="ana.garcia@example.com" size="28"></label>
<label>First name <input name="first_name" value="Ana"></label>
<label>Last name <input name="last_name" value="García"></label><br>{picks}
<label><input type="checkbox" name="deliver" checked> Fulfil and deliver now</label>
<button>Place order</button></form>
<p class="muted">The order is paid at checkout; Retorno hears of it through orders/create and
of its delivery through the fulfillment webhooks.</p></section>
<section><h2>Orders</h2><table><tr><th>Order</th><th>Customer</th><th>Lines</th><th>Shipping</th>
<th>Returns</th><th>Refunds</th><th>Tags</th></tr>{_order_rows(sim)}</table></section>
<section><h2>Stock (available)</h2><table>{_stock_rows(sim)}</table></section>
<section><h2>Webhooks sent</h2>{_webhook_rows(sim)}</section>
</main></body></html>"""
