"""The simulator in-process on a free port, a webhook receiver, and gateways talking to them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from retorno.integrations.carriers.simulator.adapter import SimulatorGateway
from retorno.integrations.carriers.simulator.config import DEFAULT_CARRIERS
from retorno.integrations.carriers.simulator.server import SimulatorServer
from retorno.integrations.tests.fixtures import SHOPPER, WAREHOUSE, booking_request

__all__ = ["SHOPPER", "WAREHOUSE", "booking_request"]

SECRET = "test-webhook-secret"


@dataclass
class Receiver:
    url: str = ""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def batches(self) -> list[list[dict[str, Any]]]:
        return [json.loads(body) for _headers, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with state.lock:
                failing = state.fail_next > 0
                if failing:
                    state.fail_next -= 1
                else:
                    state.requests.append((dict(self.headers), body))
            self.send_response(500 if failing else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def simulator(receiver: Receiver) -> Iterator[SimulatorServer]:
    # No random faults, a step per hour (time never moves a parcel during a test: the control
    # endpoint does), short simulated timeouts, no background loop.
    carriers = [
        replace(
            carrier,
            error_rate=0.0,
            timeout_rate=0.0,
            exception_rate=0.0,
            step_seconds=3600,
            timeout_seconds=1.0,
            webhook_url=receiver.url,
            webhook_secret=SECRET,
        )
        for carrier in DEFAULT_CARRIERS
    ]
    server = SimulatorServer(carriers, port=0, tick_seconds=None).start()
    yield server
    server.stop()


@pytest.fixture
def gateway(simulator: SimulatorServer) -> Iterator[SimulatorGateway]:
    gateway = SimulatorGateway(
        base_url=simulator.url, carrier="rapido", webhook_secret=SECRET, timeout=5
    )
    yield gateway
    gateway.close()
