"""`retorno classify` prints what the API answers; `retorno insight train` says why it cannot."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from retorno.api.tests.client import ApiClient


@pytest.mark.django_db
def test_classify_prints_the_apis_answer(api: ApiClient):
    out = io.StringIO()
    call_command("classify", "llegó con la caja rota 💔", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == api.post("/insight/classify", {"text": "llegó con la caja rota 💔"}).json()
    assert printed["reason"] == "damaged"


@pytest.mark.django_db
def test_classify_refuses_an_empty_comment_or_an_unknown_store():
    with pytest.raises(CommandError):
        call_command("classify", "   ")
    with pytest.raises(CommandError, match="No store"):
        call_command("classify", "grande", "--store", "nope")


@pytest.mark.django_db
def test_train_says_what_is_missing(store):
    with pytest.raises(CommandError, match="needs at least 30"):
        call_command("insight", "train", "--store", store.slug)
    out = io.StringIO()
    call_command("insight", "train", stdout=out)
    assert f"{store.slug}: skipped" in out.getvalue()
