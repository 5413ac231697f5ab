"""The outbound-URL rule: at save time (`check_outbound_url`) and at connect time (the guarded
transport, for httpx and for SDKs built on requests)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import requests
from django.test import override_settings

from retorno.core import outbound
from retorno.core.outbound import OutboundURLRefused, check_outbound_url
from retorno.core.tests.dns import PUBLIC, names_resolved
from retorno.core.tests.servers import Recorder, recording_server


@pytest.fixture
def resolver() -> Iterator[None]:
    with names_resolved():
        yield


strict = override_settings(RETORNO_ALLOW_PRIVATE_URLS=False)
relaxed = override_settings(RETORNO_ALLOW_PRIVATE_URLS=True)

REFUSED = [
    ("http://api.carrier.example/v2", "url_scheme_not_allowed"),
    ("file:///etc/passwd", "url_scheme_not_allowed"),
    ("gopher://api.carrier.example:70/_", "url_scheme_not_allowed"),
    ("ftp://api.carrier.example/", "url_scheme_not_allowed"),
    ("//api.carrier.example/", "url_scheme_not_allowed"),
    ("https://user:pass@api.carrier.example/", "url_has_credentials"),
    ("https:///path-only", "url_malformed"),
    ("https://api.carrier.example:99999/", "url_malformed"),
    ("https://[::1/", "url_malformed"),
    ("https://nowhere.carrier.example/", "url_host_unresolvable"),
    ("https://169.254.169.254/latest/meta-data/", "url_address_not_allowed"),
    ("https://metadata.carrier.example/", "url_address_not_allowed"),
    ("https://local.carrier.example/", "url_address_not_allowed"),
    ("https://mixed.carrier.example/", "url_address_not_allowed"),
    ("https://127.0.0.1:8055/", "url_address_not_allowed"),
    ("https://127.1/", "url_address_not_allowed"),
    ("https://2130706433/", "url_address_not_allowed"),  # 127.0.0.1 as one number
    ("https://0.0.0.0/", "url_address_not_allowed"),
    ("https://10.1.2.3/", "url_address_not_allowed"),
    ("https://172.16.0.1/", "url_address_not_allowed"),
    ("https://192.168.1.1/", "url_address_not_allowed"),
    ("https://100.64.0.1/", "url_address_not_allowed"),  # carrier-grade NAT
    ("https://192.0.2.10/", "url_address_not_allowed"),  # documentation
    ("https://224.0.0.251/", "url_address_not_allowed"),  # multicast
    ("https://240.0.0.1/", "url_address_not_allowed"),  # reserved
    ("https://255.255.255.255/", "url_address_not_allowed"),
    ("https://[::1]/", "url_address_not_allowed"),
    ("https://[::]/", "url_address_not_allowed"),
    ("https://[fe80::1]/", "url_address_not_allowed"),
    ("https://[fc00::1]/", "url_address_not_allowed"),
    ("https://[ff02::1]/", "url_address_not_allowed"),
    ("https://[::ffff:127.0.0.1]/", "url_address_not_allowed"),
    ("https://[::ffff:169.254.169.254]/", "url_address_not_allowed"),
    ("https://[64:ff9b::a00:1]/", "url_address_not_allowed"),  # NAT64 of 10.0.0.1
    ("https://[2002:7f00:1::]/", "url_address_not_allowed"),  # 6to4 of 127.0.0.1
]


@strict
@pytest.mark.parametrize(("url", "code"), REFUSED)
def test_urls_the_server_must_not_call_are_refused_with_a_stable_code(
    resolver: None, url: str, code: str
) -> None:
    with pytest.raises(OutboundURLRefused) as refused:
        check_outbound_url(url)
    assert refused.value.code == code


@strict
@pytest.mark.parametrize(
    "url",
    [
        "https://api.carrier.example/v2/",
        "https://API.Carrier.Example:8443/",
        "HTTPS://v6.carrier.example",
        f"https://{PUBLIC}/",
    ],
)
def test_public_https_urls_are_accepted(resolver: None, url: str) -> None:
    check_outbound_url(url)


@relaxed
def test_development_allows_http_and_private_addresses_but_not_other_schemes(
    resolver: None,
) -> None:
    check_outbound_url("http://127.0.0.1:8055")
    check_outbound_url("https://10.1.2.3/")
    check_outbound_url("http://carrier-sim.local:8055")  # need not resolve yet
    for url, code in [
        ("file:///etc/passwd", "url_scheme_not_allowed"),
        ("gopher://127.0.0.1:6379/_", "url_scheme_not_allowed"),
        ("http://user:pass@127.0.0.1/", "url_has_credentials"),
    ]:
        with pytest.raises(OutboundURLRefused) as refused:
            check_outbound_url(url)
        assert refused.value.code == code


# --- connect time ------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[int]:
    with recording_server() as port:
        yield port


@relaxed
def test_the_client_connects_to_the_address_it_resolved_and_checked(
    resolver: None, listener: int
) -> None:
    # "local.carrier.example" exists only in the test's resolver: the request can reach the
    # server only through the address the transport resolved, with the name kept as Host.
    with outbound.outbound_client() as client:
        response = client.get(f"http://local.carrier.example:{listener}/ping")
    assert response.json() == {"ok": True}
    assert Recorder.seen == [("/ping", f"local.carrier.example:{listener}")]


def test_rebinding_after_the_save_time_check_cannot_reach_an_internal_address(
    listener: int,
) -> None:
    answers = iter([[PUBLIC], ["127.0.0.1"]])
    previous = outbound.set_resolver(lambda host, port: next(answers))
    try:
        with strict:
            check_outbound_url(f"https://rebind.carrier.example:{listener}/")  # public then
            with outbound.outbound_client() as client, pytest.raises(httpx.ConnectError) as err:
                client.get(f"https://rebind.carrier.example:{listener}/")
    finally:
        outbound.set_resolver(previous)
    assert "not a public address" in str(err.value)
    assert Recorder.seen == []


@strict
@pytest.mark.parametrize("path", ["http://{host}/", "https://{host}/"])
def test_the_client_refuses_private_targets_without_connecting(
    resolver: None, listener: int, path: str
) -> None:
    with outbound.outbound_client() as client, pytest.raises(httpx.ConnectError):
        client.get(path.format(host=f"127.0.0.1:{listener}"))
    assert Recorder.seen == []


@relaxed
def test_redirects_are_not_followed(resolver: None, listener: int) -> None:
    with outbound.outbound_client() as client:
        response = client.get(f"http://127.0.0.1:{listener}/redirect")
    assert response.status_code == 302
    assert Recorder.seen == [("/redirect", f"127.0.0.1:{listener}")]


def test_requests_sessions_go_through_the_same_guard(resolver: None, listener: int) -> None:
    session = outbound.requests_session(timeout=5)
    with strict, pytest.raises(requests.ConnectionError):
        session.get(f"https://local.carrier.example:{listener}/ping")
    assert Recorder.seen == []
    with relaxed:
        response = session.get(f"http://local.carrier.example:{listener}/ping", timeout=(2, 5))
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert Recorder.seen == [("/ping", f"local.carrier.example:{listener}")]
