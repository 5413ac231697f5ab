"""API keys for tests, made through the service so they are hashed like real ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from retorno.accounts.models import ApiKey
from retorno.accounts.services import api_key_create, api_key_revoke
from retorno.stores.models import Store

READ = ("read",)
READ_WRITE = ("read", "write")
ALL = ("read", "write", "admin")


@dataclass(frozen=True)
class IssuedKey:
    """A stored key and its plain text, which only the creator ever sees."""

    record: ApiKey
    plain: str

    @property
    def header(self) -> str:
        return f"Bearer {self.plain}"


def issue_key(store: Store, scopes: Iterable[str] = ALL, *, name: str = "test") -> IssuedKey:
    record, plain = api_key_create(store=store, name=name, scopes=scopes)
    return IssuedKey(record=record, plain=plain)


def revoked_key(store: Store) -> IssuedKey:
    issued = issue_key(store, ALL, name="revoked")
    api_key_revoke(store=store, key_id=issued.record.id)
    return issued
