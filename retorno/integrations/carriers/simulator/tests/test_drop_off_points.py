"""The simulator's drop-off points (`GET /carriers/<c>/drop-off-points`) and the adapter reading
them, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from retorno.domain.logistics.gateway import CarrierRejected, DropOffPointFinder
from retorno.integrations.carriers.simulator.adapter import SimulatorGateway
from retorno.integrations.carriers.simulator.server import SimulatorServer

from .conftest import SECRET


@pytest.fixture
def eco(simulator: SimulatorServer):
    gateway = SimulatorGateway(
        base_url=simulator.url, carrier="eco", webhook_secret=SECRET, timeout=5
    )
    yield gateway
    gateway.close()


def test_points_are_nearest_first_with_hours_and_the_same_for_the_same_code(eco) -> None:
    assert isinstance(eco, DropOffPointFinder)
    points = eco.drop_off_points("ES", "28013", 5)
    assert len(points) == 5
    distances = [p.distance_m for p in points]
    assert distances == sorted(distances)
    assert distances[0] > 0
    assert all(
        p.carrier == "eco" and p.postal_code == "28013" and p.country == "ES" for p in points
    )
    assert all(
        set(p.opening_hours) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"} for p in points
    )
    assert len({p.point_id for p in points}) == 5
    assert eco.drop_off_points("ES", "28013", 5) == points  # stable
    assert eco.drop_off_points("ES", "08001", 5) != points  # another code, other points


def test_a_code_outside_the_coverage_or_a_carrier_without_drop_off_is_refused(
    simulator: SimulatorServer, eco, gateway
) -> None:
    with pytest.raises(CarrierRejected, match="not_serviceable"):
        eco.drop_off_points("FR", "75001", 3)
    with pytest.raises(CarrierRejected, match="method_not_offered"):
        gateway.drop_off_points("ES", "28013", 3)  # rapido: pickup and label only


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?country=ES",
        "?postal_code=28013",
        "?country=ES&postal_code=28013&limit=0",
        "?country=ES&postal_code=28013&limit=11",
        "?country=ES&postal_code=28013&limit=x",
    ],
)
def test_bad_queries_are_400_with_a_code(simulator: SimulatorServer, query: str) -> None:
    response = httpx.get(f"{simulator.url}/carriers/eco/drop-off-points{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
