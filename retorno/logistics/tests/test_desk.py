"""The failed-pickup desk in the back office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from retorno.accounts.models import Membership
from retorno.logistics.models import LogisticsSettings, PickupRecovery, RecoveryState
from retorno.logistics.tests.test_tracking import T0, booked, post_events

pytestmark = pytest.mark.django_db


def staff_client(store, role: str) -> Client:
    user = get_user_model().objects.create_user(username=f"{role}-user", password="x")
    Membership.objects.create(user=user, store=store, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_desk_lists_filters_and_rebooks(store, carriers, fake_carriers):
    LogisticsSettings.objects.create(
        store=store, failed_pickups_before_desk=1, failed_pickups_before_cancel=3
    )
    returned, shipment = booked(store)
    post_events(shipment, [("PICKUP_FAILED_ADDRESS", T0, "f1")])
    agent = staff_client(store, "agent")
    page = agent.get("/staff/pickups")
    assert page.status_code == 200
    assert returned.rma in page.content.decode()
    assert returned.rma not in agent.get("/staff/pickups?carrier=norte").content.decode()
    assert returned.rma not in agent.get("/staff/pickups?reason=refused").content.decode()
    day = (T0 + timedelta(days=10)).date().isoformat()
    response = agent.post(
        f"/staff/pickups/{returned.rma}", {"action": "reschedule", "pickup_date": day}
    )
    assert response.status_code == 302
    assert PickupRecovery.objects.get().state == RecoveryState.REBOOKED

    warehouse = staff_client(store, "warehouse")
    assert warehouse.post(f"/staff/pickups/{returned.rma}", {"action": "cancel"}).status_code == 403
