"""Reads of a store's policy. Parsed policies are cached per version: versions never change."""

from __future__ import annotations

from retorno.domain.policies import Policy, parse_policy
from retorno.policies.models import PolicyVersion
from retorno.stores.models import Store


def policy_version_current(*, store: Store) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(store=store).order_by("-version").first()


def policy_version_to_decide(*, store: Store) -> PolicyVersion | None:
    """The current version without its document, for compiled_policy: the document is loaded
    (one more query) only the first time this process meets the version."""
    return PolicyVersion.objects.filter(store=store).defer("document").order_by("-version").first()


def policy_version_list_for_store(*, store: Store) -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(store=store).order_by("-version"))


def compiled_policy(version: PolicyVersion) -> Policy:
    """The parsed policy of a version. A version's document never changes once published, so
    it is cached for the life of the process. The key holds the creation time too: a database
    may hand out the id of a rolled-back row again. A version read without its document
    (policy_version_to_decide, or with the order by returns.adapters.order_to_decide) loads it
    here on a miss only."""
    key = (version.id, version.created_at)
    policy = _COMPILED.get(key)
    if policy is None:
        policy = parse_policy(version.document)
        if len(_COMPILED) >= _MAX_CACHED:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = policy
    return policy


_COMPILED: dict[tuple[int, object], Policy] = {}
_MAX_CACHED = 512


def compiled_policy_cache_clear() -> None:
    """Forget every compiled policy (tests: a database may reuse a rolled-back row's id)."""
    _COMPILED.clear()
