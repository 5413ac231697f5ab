"""The back office's share of the audit log: a view declared with
`staff_view(action, audit="settings.…")` puts one entry on the store's log once it has made its
change (a POST answered 201 or a redirect; a refused or invalid form changes nothing and is not
logged). The entry names the object from the address (a carrier's code, a refund's number) and
the fields the form sent, secrets masked (retorno.accounts.services.audit.clean_details)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse

from retorno.accounts.services.audit import audit_record

# What a change that was made answers.
CHANGED = frozenset({201, 302, 303})
NOT_DETAILS = frozenset({"csrfmiddlewaretoken", "next"})


def record_change(
    request: HttpRequest,
    response: HttpResponse,
    *,
    staff: Any,
    code: str,
    url_kwargs: Mapping[str, Any],
    fields: Iterable[str] | None,
) -> None:
    if request.method != "POST" or response.status_code not in CHANGED:
        return
    wanted = set(fields) if fields is not None else None
    details: dict[str, Any] = {}
    for name in request.POST:
        if name in NOT_DETAILS or (wanted is not None and name not in wanted):
            continue
        values = request.POST.getlist(name)
        details[name] = values[0] if len(values) == 1 else values
    audit_record(
        store=staff.store,
        actor=staff.user,
        action=code,
        target=" ".join(str(v) for v in url_kwargs.values()),
        details=details,
    )
