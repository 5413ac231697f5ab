"""When the shopper gets their money (or their new item), in one sentence per case.

Every page and message that promises a moment says it through `when_money_arrives`, from the
return's refund timing (retorno.domain.money.timing.return_refund_timing of its policy
decision), so the portal's options, the review page, the tracking page, the e-mails and the
public policy page can never promise two different moments.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

REFUND = "refund"
STORE_CREDIT = "store_credit"
EXCHANGE = "exchange"


def when_money_arrives(
    resolution: str | None, timing: str, *, instant_exchange: bool = False
) -> str:
    """The sentence for a return settled by `resolution` under refund `timing` (a RefundTiming
    value). An exchange ships with the return's resolution, or at approval when it is instant.
    With no resolution (the policy page) the sentence covers refunds and store credit alike.
    Unknown timings read as on_receipt, the default policy's."""
    if resolution == EXCHANGE:
        if instant_exchange:
            return _(
                "Your new item ships as soon as your return is approved, before we receive yours."
            )
        return _(
            "Your new item is reserved for you and ships once your parcel has reached us and "
            "we have checked it."
        )
    if resolution == REFUND:
        sentences = {
            "on_approval": _("Your refund is issued as soon as your return is approved."),
            "on_first_scan": _(
                "Your refund is issued as soon as the carrier collects your parcel."
            ),
            "on_receipt": _("Your refund is issued when your parcel reaches our warehouse."),
            "on_inspection": _("Your refund is issued once we have checked the items."),
        }
    elif resolution == STORE_CREDIT:
        sentences = {
            "on_approval": _("Your store credit is added as soon as your return is approved."),
            "on_first_scan": _(
                "Your store credit is added as soon as the carrier collects your parcel."
            ),
            "on_receipt": _("Your store credit is added when your parcel reaches our warehouse."),
            "on_inspection": _("Your store credit is added once we have checked the items."),
        }
    else:
        sentences = {
            "on_approval": _(
                "Refunds and store credit are issued as soon as a return is approved."
            ),
            "on_first_scan": _(
                "Refunds and store credit are issued as soon as the carrier collects the parcel."
            ),
            "on_receipt": _(
                "Refunds and store credit are issued when the parcel reaches our warehouse."
            ),
            "on_inspection": _(
                "Refunds and store credit are issued once we have checked the items."
            ),
        }
    return sentences.get(timing, sentences["on_receipt"])
