"""What happens next, in the shopper's words, for the return's actual state (shopper_step).

The confirmation page and the tracking page both show it, so a return in review never reads
"on its way", and a booked pickup, a label or a drop-off code says what to do with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from retorno.domain.returns.shopper_steps import (
    PARCEL_TO_SEND,
    ParcelState,
    ShopperStep,
    shopper_step,
)
from retorno.portal import display
from retorno.portal.tracking import MoneyStatus, Parcel
from retorno.returns.models import Return, ReturnEvent


@dataclass(frozen=True)
class NextStep:
    step: ShopperStep
    headline: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def parcel_to_send(self) -> bool:
        """Whether the shopper is still to send the parcel (and may be told where and how)."""
        return self.step in PARCEL_TO_SEND

    @property
    def good_news(self) -> bool:
        """Whether the step may be shown as a success (not a refusal, a cancellation or a
        booking no carrier took)."""
        return self.step not in (
            ShopperStep.REJECTED,
            ShopperStep.CANCELLED,
            ShopperStep.BOOKING_FAILED,
        )

    @property
    def has_parcel(self) -> bool:
        """Whether there is a parcel to speak of: not for a refused or cancelled return."""
        return self.step not in (ShopperStep.REJECTED, ShopperStep.CANCELLED)


def next_step(
    return_request: Return,
    *,
    parcel: Parcel | None,
    money: MoneyStatus | None,
    events: list[ReturnEvent] | None = None,
) -> NextStep:
    """The step the return is at and what it means for the shopper: a headline and a few
    sentences (with when the money or the new item comes, while it has not yet)."""
    step = shopper_step(
        status=return_request.status,
        method=return_request.method,
        parcel=parcel.state if parcel else ParcelState.NONE,
        parcel_method=parcel.method if parcel else "",
    )
    pickup_on = (parcel.pickup_date if parcel else None) or return_request.pickup_date
    rma = return_request.rma
    headline, paragraphs = _texts(step, rma, pickup_on, parcel)
    if step is ShopperStep.REJECTED:
        note = _rejection_note(events or [])
        if note:
            paragraphs.insert(0, _("Why: %(reason)s") % {"reason": note})
    if money is not None and not money.done and step not in _NO_PROMISE:
        paragraphs.append(money.sentence)
    return NextStep(step=step, headline=headline, paragraphs=paragraphs)


_NO_PROMISE = frozenset(
    {ShopperStep.REJECTED, ShopperStep.CANCELLED, ShopperStep.COMPLETED, ShopperStep.KEEP}
)


def _rejection_note(events: list[ReturnEvent]) -> str:
    notes = [event.note for event in events if event.kind == "rejected" and event.note]
    return notes[-1] if notes else ""


def _texts(
    step: ShopperStep, rma: str, pickup_on: date | None, parcel: Parcel | None
) -> tuple[str, list[str]]:
    pack = _("Pack the items and write the return number %(rma)s on a note inside the parcel.") % {
        "rma": rma
    }
    if step is ShopperStep.IN_REVIEW:
        return _("Our team is checking your return"), [
            _("We will e-mail you as soon as it is decided. Do not send anything yet.")
        ]
    if step is ShopperStep.REJECTED:
        return _("We could not accept your return"), [
            _("If you think this is a mistake, write to us and we will look at it again.")
        ]
    if step is ShopperStep.CANCELLED:
        return _("This return is cancelled"), [
            _("You can start a new return while the return window is open.")
        ]
    if step is ShopperStep.KEEP:
        return _("Keep the items: nothing to send back"), [
            _("Your return is settled: what you are owed is on its way.")
        ]
    if step is ShopperStep.PICKUP_PENDING:
        if pickup_on:
            first = _(
                "We are booking the carrier to collect your parcel on %(date)s; you will get "
                "the confirmation by e-mail."
            ) % {"date": display.long_date(pickup_on)}
        else:
            first = _("We are booking the carrier pickup; you will get the date by e-mail.")
        return _("Your return is approved"), [first, pack]
    if step is ShopperStep.PICKUP_BOOKED:
        if pickup_on:
            first = _("The carrier collects your parcel on %(date)s. Have it packed and ready.") % {
                "date": display.long_date(pickup_on)
            }
        else:
            first = _("The carrier will collect your parcel. Have it packed and ready.")
        return _("Your pickup is booked"), [first, pack]
    if step is ShopperStep.LABEL_PENDING:
        return _("Your return is approved"), [
            _("We are preparing your return label; you will get it by e-mail and here."),
            pack,
        ]
    if step is ShopperStep.LABEL_READY:
        return _("Your return label is ready"), [
            _("Print the label, stick it on the parcel and hand it to the carrier."),
            pack,
        ]
    if step is ShopperStep.DROP_OFF_PENDING:
        return _("Your return is approved"), [
            _("We are preparing your drop-off code; you will get it by e-mail and here."),
            pack,
        ]
    if step is ShopperStep.DROP_OFF_READY:
        code = parcel.drop_off_code if parcel else ""
        first = (
            _("Take the packed parcel to a drop-off point and show the code %(code)s.")
            % {"code": code}
            if code
            else _("Take the packed parcel to a drop-off point and show your drop-off code.")
        )
        return _("Your drop-off code is ready"), [first, pack]
    if step is ShopperStep.BRING_TO_STORE:
        return _("Your return is approved"), [
            _(
                "Bring the items to one of our shops and give the return number %(rma)s at the "
                "counter. No label and no parcel are needed."
            )
            % {"rma": rma}
        ]
    if step is ShopperStep.BOOKING_FAILED:
        return _("We couldn't book a carrier for your return yet."), [
            _(
                "Our returns team has been told and will book it for you or get in touch. You "
                "don't need to do anything for now."
            )
        ]
    if step is ShopperStep.ON_ITS_WAY:
        return _("Your parcel is on its way to us"), [
            _("The carrier has your parcel. We will let you know when it arrives.")
        ]
    if step is ShopperStep.RECEIVED:
        return _("Your parcel has arrived"), [_("We are checking the items.")]
    return _("Your return is complete"), []
