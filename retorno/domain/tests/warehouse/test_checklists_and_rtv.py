from datetime import UTC, datetime, timedelta

import pytest

from retorno.domain.documents import DocumentError
from retorno.domain.warehouse import (
    ChecklistError,
    ChecklistIncomplete,
    RtvError,
    batch_deadline,
    checklist_for,
    checklist_result,
    parse_checklists,
    rtv_batch_key,
    rtv_deadline,
    rtv_overdue,
)

DOCUMENT = {
    "checklists": [
        {
            "category": "shoes",
            "checks": [
                {"id": "soles-clean", "label": "Soles clean?"},
                {"id": "box", "label": "Original box?", "required": False},
            ],
        },
        {"category": "*", "checks": [{"id": "tags", "label": "Tags attached?"}]},
    ]
}
NOW = datetime(2025, 3, 1, 9, tzinfo=UTC)


def test_category_checklist_and_default():
    checklists = parse_checklists(DOCUMENT)
    assert [c.check_id for c in checklist_for(checklists, "shoes").checks] == ["soles-clean", "box"]
    assert checklist_for(checklists, "bags").category == "*"
    assert checklist_for({}, "bags").checks == ()


@pytest.mark.parametrize(
    ("answers", "passed", "failed", "unanswered"),
    [
        ({"soles-clean": True, "box": True}, True, (), ()),
        ({"soles-clean": True}, True, (), ("box",)),
        ({"soles-clean": True, "box": False}, False, ("box",), ()),
        ({"soles-clean": False}, False, ("soles-clean",), ("box",)),
    ],
)
def test_checklist_result(answers, passed, failed, unanswered):
    shoes = checklist_for(parse_checklists(DOCUMENT), "shoes")
    result = checklist_result(shoes, answers)
    assert (result.passed, result.failed, result.unanswered) == (passed, failed, unanswered)


def test_missing_required_answers_are_named():
    shoes = checklist_for(parse_checklists(DOCUMENT), "shoes")
    with pytest.raises(ChecklistIncomplete) as caught:
        checklist_result(shoes, {"box": True})
    assert caught.value.code == "checklist_incomplete"
    assert caught.value.missing == ("soles-clean",)


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"soles-clean": True, "zip": True}, "unknown_check"),
        ({"soles-clean": "yes"}, "invalid_answer"),
    ],
)
def test_bad_answers(answers, code):
    shoes = checklist_for(parse_checklists(DOCUMENT), "shoes")
    with pytest.raises(ChecklistError) as caught:
        checklist_result(shoes, answers)
    assert caught.value.code == code


def test_checklists_document_errors_name_the_field():
    bad = {
        "checklists": [
            {
                "category": "shoes",
                "checks": [{"id": "A", "label": ""}, {"id": "b", "label": "B", "required": "no"}],
            },
            {"category": "shoes", "checks": "x"},
        ]
    }
    with pytest.raises(DocumentError) as caught:
        parse_checklists(bad)
    assert caught.value.code == "invalid_checklists"
    assert [e.field for e in caught.value.errors] == [
        "checklists[0].checks[0].id",
        "checklists[0].checks[0].label",
        "checklists[0].checks[1].required",
        "checklists[1].category",
        "checklists[1].checks",
    ]


def test_rtv_deadline_and_batches():
    assert rtv_deadline(NOW, 30) == NOW + timedelta(days=30)
    assert rtv_batch_key(" ACME ", "Madrid") == rtv_batch_key("acme", "madrid ")
    assert rtv_batch_key("acme") != rtv_batch_key("acme", "madrid")
    assert batch_deadline([NOW + timedelta(days=3), NOW]) == NOW
    assert rtv_overdue(NOW, NOW + timedelta(seconds=1))
    assert not rtv_overdue(NOW, NOW)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: rtv_deadline(datetime(2025, 1, 1), 30), "invalid_datetime"),  # noqa: DTZ001
        (lambda: rtv_deadline(NOW, -1), "invalid_terms"),
        (lambda: rtv_batch_key("  "), "unknown_supplier"),
        (lambda: batch_deadline([]), "empty_batch"),
    ],
)
def test_rtv_errors(call, code):
    with pytest.raises(RtvError) as caught:
        call()
    assert caught.value.code == code
