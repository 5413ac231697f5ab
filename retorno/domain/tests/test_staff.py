"""The team's rules: who may give which role, the last owner, invitations' states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from retorno.domain import staff as rules

roles = st.sampled_from(rules.ROLES)


def test_the_ladder() -> None:
    assert rules.grantable_roles("owner") == rules.ROLES
    assert "owner" not in rules.grantable_roles("admin")
    assert rules.grantable_roles("manager") == ("agent", "warehouse")
    for role in ("agent", "warehouse", "finance", "analyst", None, "nobody"):
        assert rules.grantable_roles(role) == ()


@given(actor=roles, current=roles, wanted=roles)
def test_a_change_never_lifts_anyone_above_what_the_actor_may_give(
    actor: str, current: str, wanted: str
) -> None:
    if rules.may_change_role(actor, current, wanted):
        assert wanted in rules.grantable_roles(actor)
        assert current in rules.grantable_roles(actor)
        # Nobody but an owner touches owners.
        assert "owner" not in (current, wanted) or actor == "owner"


@given(team=st.lists(roles, min_size=1, max_size=8), index=st.integers(0, 7), new=roles)
def test_a_store_with_owners_keeps_one(team: list[str], index: int, new: str) -> None:
    losing = team[index % len(team)]
    after = list(team)
    after.remove(losing)
    for new_role in (new, None):
        kept = after + ([new_role] if new_role else [])
        allowed = rules.leaves_an_owner(team, losing=losing, new_role=new_role)
        if "owner" in team:
            assert allowed == ("owner" in kept)
        else:
            assert allowed


def test_invitation_states() -> None:
    sent = datetime(2026, 12, 1, 9, tzinfo=UTC)
    expires = rules.invite_expires_at(sent)
    assert expires - sent == timedelta(days=rules.INVITE_DAYS)

    def state(
        now: datetime, accepted: datetime | None = None, revoked: datetime | None = None
    ) -> str:
        return rules.invite_state(
            now=now, expires_at=expires, accepted_at=accepted, revoked_at=revoked
        )

    assert state(sent) == "pending"
    assert state(expires - timedelta(seconds=1)) == "pending"
    assert state(expires) == "expired"
    assert state(expires, accepted=sent) == "accepted"
    assert state(sent, revoked=sent) == "revoked"


def test_addresses_are_compared_with_the_domain_in_lower_case() -> None:
    assert rules.normalise_email("  Ana.Gil@Shop.TEST ") == "Ana.Gil@shop.test"
    assert rules.normalise_email("not-an-address") == "not-an-address"
