"""Reads of a store's policy. Parsed policies are cached per version: versions never change."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from retorno.domain.policies import Policy, parse_policy
from retorno.policies.models import PolicyVersion
from retorno.stores.models import Store


def policy_version_current(*, store: Store) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(store=store).order_by("-version").first()


def policy_version_list_for_store(*, store: Store) -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(store=store).order_by("-version"))


def compiled_policy(version: PolicyVersion) -> Policy:
    return _compile(version.id, _freeze(version.document))


@lru_cache(maxsize=512)
def _compile(version_id: int, frozen_document: str) -> Policy:
    import json

    return parse_policy(json.loads(frozen_document))


def _freeze(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document, sort_keys=True)
