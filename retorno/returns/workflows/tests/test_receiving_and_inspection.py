"""Receiving, inspection, disposition and restock through the services, on a real database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from retorno.core.errors import Conflict, NotFound, Unprocessable
from retorno.core.models import OutboxMessage
from retorno.domain.errors import DomainError
from retorno.domain.warehouse import ChecklistIncomplete
from retorno.orders.models import Variant
from retorno.returns.models import Return, ReturnEvent, ReturnItem
from retorno.returns.services import return_mark_in_transit
from retorno.returns.workflows import inspection, receiving
from retorno.stores.models import Store
from retorno.warehouse import services as warehouse
from retorno.warehouse.models import (
    Inspection,
    InventoryEvent,
    RtvBatch,
    Supplier,
    UnexpectedItem,
)
from retorno.warehouse.tests.factories import (
    CHECKLISTS,
    STAFF,
    approved_return,
    line_of,
    make_gold_lenient,
)

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, Any]:
    return {
        "returns": list(Return.objects.order_by("id").values_list("status", "updated_at")),
        "items": list(
            ReturnItem.objects.order_by("id").values_list("quantity_received", "quantity_missing")
        ),
        "events": ReturnEvent.objects.count(),
        "inspections": list(Inspection.objects.values_list("id", "disposition")),
        "unexpected": UnexpectedItem.objects.count(),
        "stock": list(Variant.objects.order_by("id").values_list("stock", flat=True)),
        "inventory": InventoryEvent.objects.count(),
        "outbox": OutboxMessage.objects.filter(kind="inventory.adjusted").count(),
    }


def receive(ret: Return, units: int = 2) -> None:
    receiving.return_receive_items(
        store=ret.store, rma=ret.rma, quantities={line_of(ret): units}, actor=STAFF
    )


def inspect(ret: Return, grade: str = "like_new", **kw: Any) -> list[Inspection]:
    return inspection.return_inspect_items(
        store=ret.store,
        rma=ret.rma,
        inspections=[warehouse.InspectionInput(line=line_of(ret), grade=grade, **kw)],
        actor=STAFF,
    )


# --- scanning ----------------------------------------------------------------------------------


def test_scan_finds_a_return_by_rma_in_any_case(store: Store) -> None:
    ret = approved_return(store)
    match = receiving.scan_lookup(store=store, code=f"  {ret.rma.lower()} ")
    assert (match.kind, [r.rma for r in match.returns]) == ("rma", [ret.rma])


def test_scan_by_sku_lists_every_open_return_with_it(store: Store) -> None:
    first = approved_return(store, sku="SHOE-42")
    second = approved_return(store, sku="SHOE-42")
    match = receiving.scan_lookup(store=store, code="shoe-42")
    assert match.kind == "sku"
    assert {r.rma for r in match.returns} == {first.rma, second.rma}


def test_scan_by_tracking_number_from_the_carrier_trail(store: Store) -> None:
    ret = approved_return(store)
    return_mark_in_transit(
        store=store, rma=ret.rma, actor=STAFF, data={"tracking_number": "1Z999AA10123456784"}
    )
    match = receiving.scan_lookup(store=store, code="1Z999AA10123456784")
    assert (match.kind, match.returns[0].rma) == ("tracking_number", ret.rma)


def test_unknown_code_and_other_stores_returns_are_not_found(
    store: Store, other_store: Store
) -> None:
    theirs = approved_return(other_store)
    for code in ("NOPE-123", theirs.rma, line_of(theirs)):
        with pytest.raises(NotFound) as caught:
            receiving.scan_lookup(store=store, code=code)
        assert caught.value.code == "unknown_code"


# --- receiving ---------------------------------------------------------------------------------


def test_units_are_counted_in_per_scan_and_recorded_on_the_trail(store: Store) -> None:
    ret = approved_return(store)
    sku = ret.items.get().order_line.sku
    first = receiving.return_receive_scan(
        store=store, rma=ret.rma, code=sku.lower(), quantity=1, actor=STAFF
    )
    assert (first.kind, first.outstanding) == ("counted", 1)
    receiving.return_receive_scan(store=store, rma=ret.rma, code=sku, quantity=1, actor=STAFF)
    item = ReturnItem.objects.get(return_request=ret)
    assert (item.quantity_received, item.quantity_missing) == (2, 0)
    event = ReturnEvent.objects.filter(return_request=ret, kind="received").last()
    assert (event.actor_kind, event.actor_label) == ("staff", "Wendy Warehouse")
    assert Return.objects.get(pk=ret.pk).status == "received"


def test_receiving_beyond_what_is_expected_changes_nothing(store: Store) -> None:
    ret = approved_return(store)
    receive(ret, 2)
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        receive(ret, 1)
    assert caught.value.code == "over_received"
    assert "only 0 more" in caught.value.detail
    assert snapshot() == before


def test_a_sku_not_on_the_return_is_recorded_as_unexpected(store: Store) -> None:
    ret = approved_return(store)
    outcome = receiving.return_receive_scan(
        store=store, rma=ret.rma, code="MUG-1", quantity=2, actor=STAFF
    )
    assert outcome.kind == "unexpected"
    row = UnexpectedItem.objects.get()
    assert (row.rma, row.sku, row.quantity, row.received_by) == (
        ret.rma,
        "MUG-1",
        2,
        "Wendy Warehouse",
    )
    assert ReturnEvent.objects.filter(return_request=ret, kind="unexpected_item").exists()
    assert ReturnItem.objects.get(return_request=ret).quantity_received == 0


def test_closing_a_receipt_records_outstanding_units_as_missing(store: Store) -> None:
    ret = approved_return(store, quantity=3)
    receive(ret, 2)
    outcome = receiving.return_receipt_close(
        store=store, rma=ret.rma, actor=STAFF, note="Box light"
    )
    assert outcome.missing == {line_of(ret): 1}
    item = ReturnItem.objects.get(return_request=ret)
    assert (item.quantity_received, item.quantity_missing) == (2, 1)
    assert item.outstanding == 0
    with pytest.raises(Conflict):
        receiving.return_receipt_close(store=store, rma=ret.rma, actor=STAFF)


def test_receiving_a_return_that_is_not_approved_is_refused(store: Store) -> None:
    ret = approved_return(store)
    Return.objects.filter(pk=ret.pk).update(status="rejected")
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        receive(ret, 1)
    assert caught.value.code == "illegal_transition"
    assert snapshot() == before


# --- inspection --------------------------------------------------------------------------------


def test_inspecting_an_item_that_never_arrived_is_refused(store: Store) -> None:
    ret = approved_return(store)
    before = snapshot()
    with pytest.raises(Unprocessable) as caught:
        inspect(ret)
    assert caught.value.code == "item_not_received"
    assert snapshot() == before


def test_a_required_check_left_unanswered_blocks_the_inspection(store: Store) -> None:
    warehouse.document_publish(store=store, kind="checklists", document=CHECKLISTS, actor=STAFF)
    ret = approved_return(store)
    receive(ret)
    before = snapshot()
    with pytest.raises(ChecklistIncomplete) as caught:
        inspect(ret, answers={"box": True})
    assert caught.value.code == "checklist_incomplete"
    assert caught.value.missing == ("soles",)
    assert snapshot() == before


def test_inspection_records_checklist_and_proposes_a_disposition(store: Store) -> None:
    warehouse.document_publish(store=store, kind="checklists", document=CHECKLISTS, actor=STAFF)
    ret = approved_return(store)
    receive(ret)
    [row] = inspect(ret, answers={"box": True, "soles": False}, notes="Scuffed sole")
    assert (row.quantity, row.grade, row.checklist_passed, row.failed_checks) == (
        2,
        "like_new",
        False,
        ["soles"],
    )
    assert row.proposed_disposition == "restock"
    assert row.proposed_recovery_amount == Decimal("160.00")
    assert Return.objects.get(pk=ret.pk).status == "inspected"
    event = ReturnEvent.objects.filter(return_request=ret, kind="inspected").last()
    assert event.data["inspections"][0]["proposed_disposition"] == "restock"


def test_units_can_be_graded_apart_and_never_beyond_what_arrived(store: Store) -> None:
    ret = approved_return(store, quantity=3)
    receive(ret, 3)
    inspect(ret, grade="like_new", quantity=2)
    assert Return.objects.get(pk=ret.pk).status == "received"  # one unit still waiting
    with pytest.raises(Conflict) as caught:
        inspect(ret, grade="damaged", quantity=2)
    assert caught.value.code == "already_inspected"
    inspect(ret, grade="damaged", quantity=1)
    assert Return.objects.get(pk=ret.pk).status == "inspected"


def test_lenient_tier_passes_on_receipt(store: Store) -> None:
    make_gold_lenient(store)
    ret = approved_return(store, tier="gold")
    receive(ret)
    row = Inspection.objects.get()
    assert (row.auto_passed, row.qc_level, row.quantity) == (True, "lenient", 2)
    assert Return.objects.get(pk=ret.pk).status == "inspected"
    assert ReturnEvent.objects.filter(return_request=ret, kind="inspected").exists()
    # Passed, not restocked: stock moves only when staff choose the disposition.
    assert Variant.objects.get(sku=row.sku).stock == 5


# --- disposition and inventory -----------------------------------------------------------------


def test_accepting_a_restock_adds_sellable_units_to_stock_once(store: Store) -> None:
    ret = approved_return(store, stock=5)
    receive(ret)
    inspect(ret, grade="new")
    outcome = inspection.return_item_disposition_set(
        store=store, rma=ret.rma, line=line_of(ret), actor=STAFF
    )
    assert outcome.stock_added == 2
    variant = Variant.objects.get(sku=outcome.inspection.sku)
    assert variant.stock == 7
    event = InventoryEvent.objects.get()
    assert (event.quantity_delta, event.stock_after, event.rma) == (2, 7, ret.rma)
    message = OutboxMessage.objects.get(kind="inventory.adjusted")
    assert message.payload["sku"] == variant.sku
    assert message.payload["quantity_delta"] == 2
    assert ReturnEvent.objects.filter(return_request=ret, kind="restocked").exists()
    with pytest.raises(Conflict) as caught:
        inspection.return_item_disposition_set(
            store=store, rma=ret.rma, line=line_of(ret), actor=STAFF
        )
    assert caught.value.code == "disposition_final"
    assert Variant.objects.get(pk=variant.pk).stock == 7


@pytest.mark.parametrize("grade", ["used", "damaged", "wrong_item"])
def test_a_restock_of_unsellable_units_adds_no_stock(store: Store, grade: str) -> None:
    ret = approved_return(store, stock=5)
    receive(ret)
    inspect(ret, grade=grade)
    outcome = inspection.return_item_disposition_set(
        store=store,
        rma=ret.rma,
        line=line_of(ret),
        disposition="restock",
        note="Shelve it as open box",
        actor=STAFF,
    )
    assert outcome.stock_added == 0
    assert Variant.objects.get(sku=outcome.inspection.sku).stock == 5
    assert not InventoryEvent.objects.exists()


def test_restock_can_be_declined_per_item(store: Store) -> None:
    ret = approved_return(store, stock=5)
    receive(ret)
    inspect(ret, grade="new")
    outcome = inspection.return_item_disposition_set(
        store=store, rma=ret.rma, line=line_of(ret), restock=False, actor=STAFF
    )
    assert (outcome.inspection.disposition, outcome.stock_added) == ("restock", 0)


def test_changing_the_proposal_needs_a_note(store: Store) -> None:
    ret = approved_return(store)
    receive(ret)
    inspect(ret, grade="new")
    before = snapshot()
    with pytest.raises(Unprocessable) as caught:
        inspection.return_item_disposition_set(
            store=store, rma=ret.rma, line=line_of(ret), disposition="donate", actor=STAFF
        )
    assert caught.value.code == "note_required"
    assert snapshot() == before
    outcome = inspection.return_item_disposition_set(
        store=store,
        rma=ret.rma,
        line=line_of(ret),
        disposition="donate",
        note="Charity drive",
        actor=STAFF,
    )
    row = outcome.inspection
    assert (row.disposition, row.disposition_overridden, row.disposition_note) == (
        "donate",
        True,
        "Charity drive",
    )
    event = ReturnEvent.objects.filter(return_request=ret, kind="disposition_set").last()
    assert (event.note, event.data["proposed"], event.actor_label) == (
        "Charity drive",
        "restock",
        "Wendy Warehouse",
    )


def test_store_rules_decide_the_proposal(store: Store) -> None:
    warehouse.document_publish(
        store=store,
        kind="disposition_rules",
        document={
            "rules": [
                {
                    "id": "shoes-used-donate",
                    "when": {"grade_in": ["used"], "category_in": ["shoes"]},
                    "then": {"disposition": "donate", "recovery_percent": "0"},
                }
            ]
        },
        actor=STAFF,
    )
    ret = approved_return(store)
    receive(ret)
    [row] = inspect(ret, grade="used")
    assert (row.proposed_disposition, row.proposal_rule_id, row.rules_version) == (
        "donate",
        "shoes-used-donate",
        1,
    )


def test_invalid_documents_are_refused_with_field_paths(store: Store) -> None:
    with pytest.raises(Unprocessable) as caught:
        warehouse.document_publish(
            store=store,
            kind="disposition_rules",
            document={"rules": [{"id": "x", "when": {}, "then": {"disposition": "burn"}}]},
            actor=STAFF,
        )
    assert caught.value.code == "invalid_disposition_rules"
    fields = {e["field"] for e in caught.value.extra["errors"]}
    assert "rules[0].then.disposition" in fields


def test_defective_units_gather_per_supplier_with_the_earliest_deadline(store: Store) -> None:
    Supplier.objects.create(store=store, code="Acme Shoes", name="Acme", terms_days=14)
    first = approved_return(store, reason="defective")
    second = approved_return(store, reason="defective")
    receive(first)
    inspect(first, grade="damaged")
    receive(second)
    inspect(second, grade="damaged")
    for ret in (first, second):
        outcome = inspection.return_item_disposition_set(
            store=store, rma=ret.rma, line=line_of(ret), actor=STAFF
        )
        assert outcome.inspection.disposition == "return_to_vendor"
    batch = RtvBatch.objects.get()
    units = list(batch.inspections.order_by("id"))
    assert len(units) == 2
    assert batch.supplier_code == "acme shoes"
    assert units[0].rtv_deadline_at == units[0].received_at + timedelta(days=14)
    assert batch.deadline_at == min(u.rtv_deadline_at for u in units)
    csv_text = warehouse.rtv_batch_csv(batch)
    assert csv_text.splitlines()[0].startswith("batch,supplier,rma,sku")
    assert first.rma in csv_text
    assert second.rma in csv_text

    inspection.rtv_batch_ship(store=store, batch_id=batch.id, actor=STAFF)
    assert RtvBatch.objects.get().status == "shipped"
    assert ReturnEvent.objects.filter(kind="returned_to_vendor").count() == 2
    with pytest.raises(Conflict) as caught:
        inspection.return_item_disposition_set(
            store=store,
            rma=first.rma,
            line=line_of(first),
            disposition="recycle",
            note="too late",
            actor=STAFF,
        )
    assert caught.value.code == "disposition_final"


def test_new_supplier_terms_recount_the_deadlines_of_its_open_batch_only(store: Store) -> None:
    Supplier.objects.create(store=store, code="Acme Shoes", name="Acme", terms_days=14)
    ret = approved_return(store, reason="defective")
    receive(ret)
    inspect(ret, grade="damaged")
    inspection.return_item_disposition_set(store=store, rma=ret.rma, line=line_of(ret), actor=STAFF)
    batch = RtvBatch.objects.get()

    saved = warehouse.supplier_save(store=store, code="ACME SHOES", terms_days=45, name="Acme SL")

    unit = batch.inspections.get()
    batch.refresh_from_db()
    assert (saved.code, saved.terms_days, Supplier.objects.count()) == ("Acme Shoes", 45, 1)
    assert unit.rtv_deadline_at == unit.received_at + timedelta(days=45)
    assert batch.deadline_at == unit.rtv_deadline_at
    assert batch.supplier_name == "Acme SL"
    inspection.rtv_batch_ship(store=store, batch_id=batch.id, actor=STAFF)
    warehouse.supplier_save(store=store, code="Acme Shoes", terms_days=5)
    batch.refresh_from_db()
    assert batch.deadline_at == unit.rtv_deadline_at  # shipped: its deadline stays
    for bad in (-1, 3651, True):
        with pytest.raises(Unprocessable) as caught:
            warehouse.supplier_save(store=store, code="Acme Shoes", terms_days=bad)
        assert caught.value.code == "invalid_terms"
    assert Supplier.objects.get().terms_days == 5


def test_a_product_without_supplier_cannot_go_to_vendor(store: Store) -> None:
    ret = approved_return(store, vendor="")
    receive(ret)
    inspect(ret, grade="damaged")
    with pytest.raises(Unprocessable) as caught:
        inspection.return_item_disposition_set(
            store=store,
            rma=ret.rma,
            line=line_of(ret),
            disposition="return_to_vendor",
            note="supplier credit",
            actor=STAFF,
        )
    assert caught.value.code == "unknown_supplier"
    assert not RtvBatch.objects.exists()


def test_the_older_grades_call_still_works(store: Store) -> None:
    ret = approved_return(store)
    receiving.return_receive(store=store, rma=ret.rma, quantities={line_of(ret): 2}, actor=STAFF)
    inspection.return_inspect(store=store, rma=ret.rma, grades={line_of(ret): "A"}, actor=STAFF)
    assert Return.objects.get(pk=ret.pk).status == "inspected"
    assert Inspection.objects.get().grade == "like_new"
