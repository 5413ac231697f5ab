"""Abuse signals on generated customer histories whose truth is known: precision and recall.

    .venv/bin/python bench/signals.py [--customers N] [--seed S]     # print the table
    .venv/bin/python bench/signals.py --write                        # and write docs/insight.md

Each generated customer is honest or abuses in one way (serial returning, bracketing,
wardrobing, empty boxes or swaps, false claims). Honest customers behave like real ones: they
return what does not fit, sometimes buy two colours, sometimes meet a bad courier, and the
warehouse sometimes grades a unit wrongly or a scale is off. Abusers do not always leave a
trace (a wardrober re-attaches the tags, a parcel is not weighed). The signals
(retorno/domain/insight/signals.py) see only the records; the table compares what they say
with the truth, per signal. Everything is in process and seeded: the same seed gives the same
figures.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: import `retorno` from the repo root

from retorno.domain.insight.signals import (  # noqa: E402
    SIGNAL_CODES,
    ClaimFact,
    History,
    LineFact,
    OrderFact,
    ReturnedUnit,
    ReturnFact,
    customer_signals,
    fired_codes,
)

DOC = ROOT / "docs" / "insight.md"
BEGIN = "<!-- signals:begin (written by bench/signals.py) -->"
END = "<!-- signals:end -->"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Share of each kind of customer; the rest are honest.
ABUSERS = {
    "serial_returner": 0.06,
    "bracketing": 0.06,
    "wardrobing": 0.05,
    "empty_box": 0.04,
    "false_claims": 0.04,
}
CATEGORIES = ("shirts", "jeans", "shoes", "electronics", "home", "dresses")
SIZES = ("XS", "S", "M", "L", "XL")
COLOURS = ("black", "navy", "red", "green")


@dataclass
class Builder:
    """One customer's records, as the signals will read them."""

    rng: random.Random
    orders: list[OrderFact] = field(default_factory=list)
    returns: list[ReturnFact] = field(default_factory=list)
    inspected: list[ReturnedUnit] = field(default_factory=list)
    claims: list[ClaimFact] = field(default_factory=list)

    def order(self, lines: list[tuple[str, str, str, dict[str, str], int]]) -> OrderFact:
        """`lines`: (product, variant, category, options, units returned)."""
        number = f"#{len(self.orders) + 1}"
        placed = NOW - timedelta(days=self.rng.uniform(5, 360))
        order = OrderFact(
            order_id=number,
            number=number,
            placed_at=placed,
            delivered_at=placed + timedelta(days=self.rng.randint(1, 5)),
            lines=tuple(
                LineFact(f"{number}-{i}", product, variant, category, 1, back, options)
                for i, (product, variant, category, options, back) in enumerate(lines)
            ),
        )
        self.orders.append(order)
        return order

    def give_back(
        self,
        order: OrderFact,
        *,
        reason: str,
        days_kept: int | None = None,
        grade: str = "like_new",
        failed_checks: tuple[str, ...] = (),
        weights: tuple[int, int] | None = None,
        serial_matches: bool | None = None,
    ) -> None:
        returned = [line for line in order.lines if line.returned_quantity]
        if not returned or order.delivered_at is None:
            return
        kept = days_kept if days_kept is not None else self.rng.randint(2, 25)
        requested = min(order.delivered_at + timedelta(days=kept), NOW)
        rma = f"R-{order.number}"
        self.returns.append(
            ReturnFact(
                rma=rma,
                order_id=order.order_id,
                requested_at=requested,
                units=len(returned),
                reasons=(reason,),
                expected_weight_grams=weights[0] if weights else None,
                measured_weight_grams=weights[1] if weights else None,
                serial_matches=serial_matches,
            )
        )
        for line in returned:
            self.inspected.append(
                ReturnedUnit(
                    rma,
                    line.line_id,
                    line.category,
                    reason,
                    requested,
                    order.delivered_at,
                    grade,
                    failed_checks,
                )
            )

    def claim(self, reason: str) -> None:
        self.claims.append(
            ClaimFact(
                f"C-{len(self.claims) + 1}", reason, NOW - timedelta(days=self.rng.uniform(1, 360))
            )
        )

    def history(self) -> History:
        return History(
            tuple(self.orders), tuple(self.returns), tuple(self.inspected), tuple(self.claims)
        )


def _weigh(rng: random.Random, expected: int, *, empty: bool = False) -> tuple[int, int] | None:
    """A parcel weighed at receiving (not always): packaging adds a little; a scale is
    sometimes off; an empty box or a swap weighs something else."""
    if rng.random() > 0.6:
        return None
    if empty:
        return expected, int(expected * rng.uniform(0.05, 0.5))
    error = rng.uniform(0.0, 0.15) if rng.random() > 0.02 else rng.uniform(0.3, 0.6)
    return expected, int(expected * (1 + error))


def _grade(rng: random.Random, *, worn: bool = False) -> str:
    if worn:
        return "used"
    return "used" if rng.random() < 0.04 else rng.choice(("new", "like_new", "like_new"))


def honest(b: Builder) -> None:
    rng = b.rng
    return_rate = rng.choice((0.05, 0.15, 0.25, 0.35, 0.45))  # some honest customers return a lot
    for _ in range(rng.randint(2, 14)):
        category = rng.choice(CATEGORIES)
        product = f"p-{rng.randint(1, 400)}"
        if category in ("shirts", "dresses") and rng.random() < 0.05:
            # Two colours at once (a gift, or undecided), one sometimes sent back.
            back = 1 if rng.random() < 0.4 else 0
            colours = rng.sample(COLOURS, 2)
            order = b.order(
                [
                    (product, f"{product}-{colours[0]}", category, {"colour": colours[0]}, back),
                    (product, f"{product}-{colours[1]}", category, {"colour": colours[1]}, 0),
                ]
            )
        else:
            back = 1 if rng.random() < return_rate else 0
            size = rng.choice(SIZES)
            order = b.order([(product, f"{product}-{size}", category, {"size": size}, back)])
        if back:
            event_quick = category == "dresses" and rng.random() < 0.5
            b.give_back(
                order,
                reason=rng.choice(("too_small", "too_large", "changed_mind", "not_as_described")),
                days_kept=rng.randint(1, 6) if event_quick else None,
                grade=_grade(rng),
                weights=_weigh(rng, rng.randint(200, 1500)),
            )
        if rng.random() < 0.03:
            b.claim(rng.choice(("never_arrived", "damaged_in_transit")))


def serial(b: Builder) -> None:
    rng = b.rng
    for _ in range(rng.randint(6, 20)):
        product = f"p-{rng.randint(1, 400)}"
        back = 1 if rng.random() < rng.uniform(0.55, 0.9) else 0
        size = rng.choice(SIZES)
        order = b.order(
            [(product, f"{product}-{size}", rng.choice(CATEGORIES), {"size": size}, back)]
        )
        if back:
            b.give_back(order, reason="changed_mind", grade=_grade(rng), weights=_weigh(rng, 600))


def bracketer(b: Builder) -> None:
    rng = b.rng
    for _ in range(rng.randint(3, 10)):
        product = f"p-{rng.randint(1, 400)}"
        category = rng.choice(("shirts", "jeans", "shoes", "dresses"))
        if rng.random() < 0.6:
            sizes = rng.sample(SIZES, rng.randint(2, 3))
            keep = rng.randrange(len(sizes))
            order = b.order(
                [
                    (product, f"{product}-{s}", category, {"size": s}, 0 if i == keep else 1)
                    for i, s in enumerate(sizes)
                ]
            )
            b.give_back(order, reason="too_small", grade=_grade(rng), weights=_weigh(rng, 800))
        else:
            size = rng.choice(SIZES)
            b.order([(product, f"{product}-{size}", category, {"size": size}, 0)])


def wardrober(b: Builder) -> None:
    rng = b.rng
    for _ in range(rng.randint(3, 10)):
        product = f"p-{rng.randint(1, 400)}"
        if rng.random() < 0.6:
            order = b.order([(product, f"{product}-M", "dresses", {"size": "M"}, 1)])
            caught = rng.random() < 0.6  # tags re-attached, or worn so little it passes
            b.give_back(
                order,
                reason="changed_mind",
                days_kept=rng.randint(1, 6),
                grade=_grade(rng, worn=caught and rng.random() < 0.7),
                failed_checks=("tags_attached",) if caught and rng.random() < 0.5 else (),
                weights=_weigh(rng, 500),
            )
        else:
            b.order([(product, f"{product}-M", rng.choice(CATEGORIES), {"size": "M"}, 0)])


def empty_boxer(b: Builder) -> None:
    rng = b.rng
    for _ in range(rng.randint(2, 8)):
        product = f"p-{rng.randint(1, 400)}"
        if rng.random() < 0.4:
            order = b.order([(product, f"{product}-1", "electronics", {}, 1)])
            b.give_back(
                order,
                reason="defective",
                weights=_weigh(rng, rng.randint(300, 2000), empty=True),
                serial_matches=False if rng.random() < 0.3 else None,
            )
        else:
            b.order([(product, f"{product}-1", rng.choice(CATEGORIES), {}, 0)])


def claimer(b: Builder) -> None:
    rng = b.rng
    orders = rng.randint(3, 10)
    for _ in range(orders):
        product = f"p-{rng.randint(1, 400)}"
        b.order([(product, f"{product}-1", rng.choice(CATEGORIES), {}, 0)])
        if rng.random() < 0.5:
            b.claim(rng.choice(("never_arrived", "never_arrived", "damaged_in_transit")))


BEHAVIOUR = {
    "honest": honest,
    "serial_returner": serial,
    "bracketing": bracketer,
    "wardrobing": wardrober,
    "empty_box": empty_boxer,
    "false_claims": claimer,
}


def generate(customers: int, seed: int) -> list[tuple[str, History]]:
    rng = random.Random(seed)
    found = []
    for _ in range(customers):
        draw, truth = rng.random(), "honest"
        for kind, share in ABUSERS.items():
            if draw < share:
                truth = kind
                break
            draw -= share
        builder = Builder(random.Random(rng.random()))
        BEHAVIOUR[truth](builder)
        found.append((truth, builder.history()))
    return found


def measure(customers: int, seed: int) -> list[dict[str, float]]:
    histories = generate(customers, seed)
    rows = []
    for code in SIGNAL_CODES:
        truth = [kind == code for kind, _ in histories]
        said = [code in fired_codes(customer_signals(history, NOW)) for _, history in histories]
        hits = sum(1 for t, s in zip(truth, said, strict=True) if t and s)
        rows.append(
            {
                "signal": code,
                "abusers": sum(truth),
                "fired": sum(said),
                "hits": hits,
                "precision": hits / sum(said) if any(said) else 0.0,
                "recall": hits / sum(truth) if any(truth) else 0.0,
            }
        )
    return rows


def render(rows: list[dict[str, float]], customers: int, seed: int) -> str:
    lines = [
        BEGIN,
        "",
        f"{customers} generated customers (seed {seed}): "
        "`.venv/bin/python bench/signals.py --write`.",
        "",
        "| signal | abusers of that kind | signal fired | of which right | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| `{r['signal']}` | {r['abusers']} | {r['fired']} | {r['hits']} | "
        f"{r['precision']:.3f} | {r['recall']:.3f} |"
        for r in rows
    ]
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    block = render(measure(args.customers, args.seed), args.customers, args.seed)
    print(block)
    if args.write:
        document = DOC.read_text(encoding="utf-8")
        start, end = document.index(BEGIN), document.index(END) + len(END)
        DOC.write_text(document[:start] + block + document[end:], encoding="utf-8")
        print(f"\nwrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
