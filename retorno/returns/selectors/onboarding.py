"""What a store's own data says about its first-run checklist (retorno.domain.onboarding), read
in one statement: a policy published after the first, a carrier switched on, its brand set,
its notification channels chosen, a shop connected or orders in, a second person in the team
(or invited), a return made."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from retorno.accounts.models import Membership, StaffInvite
from retorno.connectors.shopify.models import ShopifyConnection
from retorno.domain import onboarding
from retorno.domain.onboarding import Checklist
from retorno.logistics.models import CarrierAccount
from retorno.notifications.models import NotificationSettings
from retorno.orders.models import Order
from retorno.policies.models import PolicyVersion
from retorno.returns.models import Return
from retorno.stores.models import Store


def _of(model: Any, **conditions: Any) -> Exists:
    return Exists(model.objects.filter(store=OuterRef("pk"), **conditions))


def _either(condition: Any) -> ExpressionWrapper[Any]:
    return ExpressionWrapper(condition, output_field=BooleanField())


def onboarding_facts(*, store: Store) -> dict[str, bool]:
    defaults = {f.name: f.default for f in Store._meta.concrete_fields}
    row = (
        Store.objects.filter(pk=store.pk)
        .annotate(
            f_policy=_of(PolicyVersion, version__gte=2),
            f_carriers=_of(CarrierAccount, enabled=True),
            f_notifications=_of(NotificationSettings),
            f_shop=_either(Q(_of(ShopifyConnection)) | Q(_of(Order))),
            # Someone beside the first member, or an invitation sent.
            f_team=_either(
                Q(
                    Exists(
                        Membership.objects.filter(
                            store=OuterRef("pk"), deactivated_at__isnull=True
                        ).exclude(pk__in=Membership.objects.filter(store=store).order_by("id")[:1])
                    )
                )
                | Q(_of(StaffInvite))
            ),
            f_test_return=_of(Return),
            f_branding=_either(
                Q(logo_url__gt="")
                | ~Q(primary_colour=defaults["primary_colour"])
                | ~Q(accent_colour=defaults["accent_colour"])
            ),
        )
        .values(*(f"f_{code}" for code in onboarding.STEPS))
        .first()
    )
    return {code: bool((row or {}).get(f"f_{code}")) for code in onboarding.STEPS}


def onboarding_checklist(*, store: Store) -> Checklist:
    return onboarding.checklist(onboarding_facts(store=store), store.onboarding_skipped or [])
