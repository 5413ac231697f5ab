"""Every outbound HTTP call leaves through retorno.core.outbound (timeouts, the outbound-URL
check at connect time). This walks the code and fails on any other way to open a connection.

SDKs that open their own connections (easypost) are covered by
retorno/integrations/tests/test_outbound_guard.py, which builds every registered adapter and
checks that it cannot reach an internal address.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THE_CLIENT = "retorno/core/outbound.py"
ALLOWED = {
    THE_CLIENT,
    # The simulator plays the carrier in development and tests: it posts its tracking webhooks
    # to the local URL it was started with (and checks that it is local), not for a store.
    "retorno/integrations/carriers/simulator/webhooks.py",
    # The shop simulator plays a Shopify store in development and tests: it posts its webhooks
    # to the local URL it was started with (and checks that it is local), not for a store.
    "retorno/connectors/shopify/sim/webhooks.py",
    # The same for the WooCommerce simulator.
    "retorno/connectors/woocommerce/sim/webhooks.py",
    # The local Stripe, likewise: its events go to the local URL it was started with.
    "retorno/connectors/stripe/sim/webhooks.py",
    # `retorno demo-summary --wait-for` waits for the development server `make run` started on
    # this machine (it refuses any other URL), for no store.
    "retorno/demo/management/commands/demo_summary.py",
}
FORBIDDEN_MODULES = {
    "urllib.request",
    "http.client",
    "urllib3",
    "aiohttp",
    "socket",
    "pycurl",
    "httplib2",
    "ftplib",
    "telnetlib",
}
CONNECTING = {
    "httpx": {
        "Client",
        "AsyncClient",
        "HTTPTransport",
        "AsyncHTTPTransport",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "request",
        "stream",
    },
    "requests": {
        "Session",
        "session",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "request",
        "adapters",
    },
}


def violations(tree: ast.AST) -> list[str]:
    """What in `tree` opens a connection without the outbound client."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in FORBIDDEN_MODULES:
                    found.append(f"line {node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            for alias in node.names:
                full = f"{module}.{alias.name}"
                if (
                    module in FORBIDDEN_MODULES
                    or full in FORBIDDEN_MODULES
                    or alias.name in CONNECTING.get(module, ())
                ):
                    found.append(f"line {node.lineno}: from {module} import {alias.name}")
        elif isinstance(node, ast.Call):
            parts = _dotted(node.func)
            if len(parts) > 1 and parts[1] in CONNECTING.get(parts[0], ()):
                found.append(f"line {node.lineno}: {'.'.join(parts)}(...)")
    return found


def _dotted(node: ast.expr) -> list[str]:
    """["requests", "adapters", "HTTPAdapter"] for requests.adapters.HTTPAdapter; [] otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return []
    return [node.id, *reversed(parts)]


def _sources() -> list[Path]:
    files = [*(ROOT / "retorno").rglob("*.py"), *(ROOT / "config").rglob("*.py")]
    return sorted(p for p in files if "tests" not in p.relative_to(ROOT).parts)


def test_no_outbound_call_bypasses_the_outbound_client() -> None:
    offenders = {}
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        found = violations(ast.parse(path.read_text(), filename=name))
        if found:
            offenders[name] = found
    assert offenders == {}, f"use retorno.core.outbound instead: {offenders}"


@pytest.mark.parametrize(
    "source",
    [
        "import httpx\nhttpx.get('https://example.com')",
        "import httpx\nclient = httpx.Client()",
        "from httpx import Client",
        "import requests\nrequests.post('https://example.com')",
        "import requests\ns = requests.Session()",
        "from requests import Session",
        "import requests\nrequests.adapters.HTTPAdapter()",
        "import urllib.request",
        "from urllib.request import urlopen",
        "from urllib import request",
        "import socket",
        "import http.client",
    ],
)
def test_the_walk_finds_each_way_out(source: str) -> None:
    assert violations(ast.parse(source))


def test_types_and_errors_of_the_http_libraries_stay_usable() -> None:
    source = (
        "import httpx, requests\n"
        "def f(c: httpx.Client) -> requests.Session: ...\n"
        "e = requests.Timeout\n"
        "t = httpx.MockTransport(handler)"
    )
    assert violations(ast.parse(source)) == []
