"""Stores for tests: a store is made the way production makes one (with its default policy)."""

from __future__ import annotations

import factory

from retorno.core.actors import SYSTEM
from retorno.policies.services import policy_ensure_default
from retorno.stores.models import Store


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    currency = "EUR"
    rma_prefix = "R"

    @factory.post_generation
    def default_policy(obj: Store, create: bool, extracted: object, **kwargs: object) -> None:
        # Stores are born with the default policy (v1); tests that publish one expect v2 next.
        if create:
            policy_ensure_default(store=obj, actor=SYSTEM)
