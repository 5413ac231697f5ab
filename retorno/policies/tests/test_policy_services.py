"""Publishing policies: validated first, numbered in order, never overwritten."""

from __future__ import annotations

import pytest

from retorno.core.actors import Actor
from retorno.core.errors import Unprocessable
from retorno.domain.policies import default_policy_document
from retorno.policies.models import PolicyVersion
from retorno.policies.selectors import compiled_policy, policy_version_current
from retorno.policies.services import policy_publish

ACTOR = Actor(kind="staff", id="7", label="Eva")


def test_versions_count_up_and_keep_the_old_ones(store):
    v2 = policy_publish(store=store, document=default_policy_document(), actor=ACTOR)
    v3 = policy_publish(store=store, document=default_policy_document(), actor=ACTOR, note="n")
    assert (v2.version, v3.version) == (2, 3)
    assert v3.created_by == "Eva"
    assert policy_version_current(store=store) == v3
    assert PolicyVersion.objects.filter(store=store).count() == 3


def test_versions_are_per_store(store, other_store):
    policy_publish(store=store, document=default_policy_document(), actor=ACTOR)
    assert policy_version_current(store=other_store).version == 1


def test_invalid_document_writes_nothing(store):
    document = default_policy_document()
    document["rules"][0]["when"] = {"tier_in": "gold"}
    with pytest.raises(Unprocessable) as error:
        policy_publish(store=store, document=document, actor=ACTOR)
    assert error.value.code == "invalid_policy"
    assert error.value.extra["errors"][0]["field"].startswith("rules[0].when")
    assert PolicyVersion.objects.filter(store=store).count() == 1


def test_compiled_policy_is_reused(store):
    current = policy_version_current(store=store)
    assert compiled_policy(current) is compiled_policy(current)
