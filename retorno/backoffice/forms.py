"""Forms of the back office: the queue's filters and the actions on a return."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from retorno.core import labels
from retorno.domain.analytics.periods import Basis, Period, PeriodError
from retorno.returns.selectors.queue import QUEUE_AGE_BUCKETS, UNASSIGNED, ReturnQueueFilters

ANY: list[tuple[str, Any]] = [("", _("Any"))]
NOTE_MAX = 2000


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    # Choices are set per form, under the request's language (labels are lazy).
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class QueueFilterForm(forms.Form):
    """GET filters of the returns queue. An invalid value is reported and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=254,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("RMA, order number, email, tracking")}
        ),
    )
    status = forms.ChoiceField(label=_("State"), required=False)
    needs_review = forms.BooleanField(label=_("Needs review"), required=False)
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    predicted = forms.ChoiceField(label=_("Comment reads"), required=False)
    mismatch = forms.BooleanField(label=_("Comment contradicts the reason"), required=False)
    method = forms.ChoiceField(label=_("Method"), required=False)
    resolution = forms.ChoiceField(label=_("Resolution"), required=False)
    age = forms.ChoiceField(label=_("Age"), required=False)
    tier = forms.ChoiceField(label=_("Customer tier"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    late = forms.BooleanField(label=_("Late only"), required=False)

    # Drill-downs from the analytics pages: kept as hidden fields, listed above the results.
    product = forms.CharField(label=_("Product"), required=False, max_length=255)
    sku = forms.CharField(label=_("SKU"), required=False, max_length=120)
    category = forms.CharField(label=_("Category"), required=False, max_length=80)
    vendor = forms.CharField(label=_("Supplier"), required=False, max_length=120)
    region = forms.CharField(label=_("Region"), required=False, max_length=120)
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=120)
    channel = forms.CharField(label=_("Sales channel"), required=False, max_length=16)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=16)
    review_reason = forms.CharField(
        label=_("Held for review because"), required=False, max_length=80
    )
    override_rule = forms.CharField(label=_("Overridden, rule"), required=False, max_length=120)
    override_agent = forms.CharField(label=_("Overridden by"), required=False, max_length=200)
    waiting = forms.CharField(
        label=_("Waiting for inspection (days)"), required=False, max_length=8
    )
    counted = forms.BooleanField(label=_("Counted in analytics"), required=False)
    DRILL_DOWN = (
        "product",
        "sku",
        "category",
        "vendor",
        "region",
        "carrier",
        "channel",
        "outcome",
        "review_reason",
        "override_rule",
        "override_agent",
        "waiting",
        "counted",
    )

    def __init__(
        self,
        *args: Any,
        tiers: list[str] | None = None,
        assignees: list[tuple[int, str]] | None = None,
        me: int | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        self.me = me
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so the period's fields are added by name.
        self.fields["from"] = forms.DateField(label=_("From"), required=False)
        self.fields["to"] = forms.DateField(label=_("To"), required=False)
        self.fields["basis"] = forms.ChoiceField(
            label=_("Counted by"),
            required=False,
            choices=[("request", _("Request date")), ("order", _("Order date"))],
        )
        for name in (*self.DRILL_DOWN, "from", "to", "basis"):
            self.fields[name].widget = forms.HiddenInput()
        _set_choices(self, "status", [*ANY, ("open", _("Open")), *labels.choices("status")])
        _set_choices(self, "reason", [*ANY, *labels.choices("reason")])
        _set_choices(self, "predicted", [*ANY, *labels.choices("reason")])
        _set_choices(self, "method", [*ANY, *labels.choices("method")])
        _set_choices(self, "resolution", [*ANY, *labels.choices("resolution")])
        ages = [(key, labels.label("age", key)) for key in QUEUE_AGE_BUCKETS]
        _set_choices(self, "age", [*ANY, *ages])
        # A drill-down names the tier the return was asked under, which no customer may have
        # today: it is offered too, so that the link lists what the figure counted.
        asked = str(self.data.get("tier") or "") if self.data.get("counted") else ""
        known = [*(tiers or []), *([asked] if asked and asked not in (tiers or []) else [])]
        _set_choices(self, "tier", [*ANY, *[(t, labels.tier_label(t)) for t in known]])
        people = [(str(user_id), name) for user_id, name in assignees or []]
        mine = [("me", _("Me"))] if me is not None else []
        _set_choices(self, "assignee", [*ANY, *mine, ("none", _("Nobody")), *people])

    def filters(self) -> ReturnQueueFilters:
        """The valid filters (an invalid field counts as "any")."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return ReturnQueueFilters(
            status=data.get("status") or "",
            reason=data.get("reason") or "",
            predicted_reason=data.get("predicted") or "",
            comment_mismatch=bool(data.get("mismatch")),
            method=data.get("method") or "",
            resolution=data.get("resolution") or "",
            age=data.get("age") or "",
            tier=data.get("tier") or "",
            needs_review=bool(data.get("needs_review")),
            q=data.get("q") or "",
            product=data.get("product") or "",
            sku=data.get("sku") or "",
            category=data.get("category") or "",
            vendor=data.get("vendor") or "",
            region=data.get("region") or "",
            carrier=data.get("carrier") or "",
            channel=data.get("channel") or "",
            outcome=data.get("outcome") or "",
            review_reason=data.get("review_reason") or "",
            override_rule=data.get("override_rule") or "",
            override_agent=data.get("override_agent") or "",
            waiting=data.get("waiting") or "",
            counted=bool(data.get("counted")),
            period=_period(data),
            assignee=self._assignee(data.get("assignee") or ""),
            late=bool(data.get("late")),
        )

    def _assignee(self, value: str) -> int | None:
        if value == "me":
            return self.me
        if value == "none":
            return UNASSIGNED
        return int(value) if value.isdigit() else None

    def drill_down(self) -> list[tuple[str, str]]:
        """The drill-down filters in force, as (label, value) for the page to list."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        shown = [
            (str(self.fields[name].label), str(data[name]))
            for name in self.DRILL_DOWN
            if data.get(name) and name != "counted"
        ]
        period = _period(data)
        if period is not None:
            choices = cast(Any, self.fields["basis"]).choices
            basis = dict(choices)[period.basis.value]
            shown.append((str(basis), f"{period.start.isoformat()} – {period.end.isoformat()}"))
        return shown

    @property
    def is_filtered(self) -> bool:
        return any(v for v in self.filters().__dict__.values())


def _period(data: dict[str, Any]) -> Period | None:
    """The period of a drill-down, when both days are given and make one."""
    if not (data.get("from") and data.get("to")):
        return None
    try:
        return Period(data["from"], data["to"], Basis(data.get("basis") or "request"))
    except PeriodError:
        return None


def _note(required_hint: bool) -> forms.CharField:
    # Whether a note is mandatory is the service's rule (it answers note_required); the
    # browser's `required` only saves a round trip.
    attrs: dict[str, Any] = {"rows": 2, "maxlength": NOTE_MAX}
    if required_hint:
        attrs["required"] = "required"
    return forms.CharField(
        label=_("Note"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs=attrs)
    )


class ApproveForm(forms.Form):
    note = _note(required_hint=False)


class RejectForm(forms.Form):
    note = _note(required_hint=True)


class CancelForm(forms.Form):
    note = _note(required_hint=False)


class OverrideForm(forms.Form):
    line = forms.ChoiceField(label=_("Item"))
    decision = forms.ChoiceField(label=_("New decision"))
    rule = forms.CharField(
        label=_("Rule overridden"),
        max_length=80,
        help_text=_("The policy rule or reason code this decision departs from."),
    )
    note = _note(required_hint=True)

    def __init__(self, *args: Any, lines: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _set_choices(self, "line", lines or [])
        _set_choices(self, "decision", labels.choices("decision"))


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=60)
    shared = forms.BooleanField(label=_("Share with the team"), required=False)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


BULK_ACTIONS = ("approve", "reject", "assign", "labels", "export")


class BulkForm(forms.Form):
    """A bulk action on the returns ticked in the queue. Without `confirmed` it only asks."""

    action = forms.ChoiceField(label=_("With the selected returns"))
    rma = forms.MultipleChoiceField(required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = _note(required_hint=False)
    assignee = forms.ChoiceField(label=_("Give them to"), required=False)
    format = forms.ChoiceField(
        label=_("File"),
        required=False,
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
    )
    back = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, assignees: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _set_choices(self, "action", [(a, labels.label("bulk_action", a)) for a in BULK_ACTIONS])
        rmas = self.data.getlist("rma") if hasattr(self.data, "getlist") else []
        _set_choices(self, "rma", [(r[:24], r[:24]) for r in rmas])
        people = [(str(user_id), name) for user_id, name in assignees or []]
        _set_choices(self, "assignee", [("none", _("Nobody")), *people])

    def back_url(self) -> str:
        """Where to go afterwards: the queue as it was filtered (only a queue address)."""
        back = str(self.data.get("back") or "")
        return back if back.startswith("?") and "\n" not in back else ""
