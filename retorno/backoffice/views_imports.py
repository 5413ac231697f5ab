"""CSV imports in the store's settings (admins): upload orders or the catalogue, read the dry
run (every bad row by line and field, and which column of the file feeds each field), correct
the mapping, then import in the background and watch its progress. The same services as
`retorno import-csv`."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from retorno.backoffice import permissions
from retorno.backoffice.access import StaffContext
from retorno.backoffice.guard import staff_view
from retorno.backoffice.rendering import render_page
from retorno.core.errors import RetornoError
from retorno.core.labels import label
from retorno.orders import selectors
from retorno.orders.models import CsvImport, ImportState
from retorno.orders.services import csv_import

MAX_UPLOAD = csv_import.MAX_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[("orders", gettext_lazy("Orders")), ("catalog", gettext_lazy("Catalogue"))],
    )
    file = forms.FileField(label=gettext_lazy("CSV file (UTF-8)"))


def _list_page(
    request: HttpRequest, staff: StaffContext, form: UploadForm, status: int = 200
) -> HttpResponse:
    return render_page(
        request,
        "backoffice/imports.html",
        {"form": form, "imports": selectors.csv_import_list_for_store(store=staff.store)},
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE)
def imports(request: HttpRequest, staff: StaffContext) -> HttpResponse:
    """GET: the upload form and the latest imports. POST: the dry run of the file."""
    if request.method == "GET":
        return _list_page(request, staff, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, staff, form, status=422)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        form.add_error("file", gettext_lazy("A file holds at most 60 MB."))
        return _list_page(request, staff, form, status=422)
    try:
        job = csv_import.csv_check(
            store=staff.store,
            kind=form.cleaned_data["kind"],
            data=upload.read(),
            filename=upload.name,
            created_by=staff.user.get_username(),
        )
    except RetornoError as error:
        form.add_error("file", _file_message(error))
        return _list_page(request, staff, form, status=422)
    return redirect("backoffice:import_detail", import_id=job.id)


def _file_message(error: RetornoError) -> str:
    messages = {
        "empty_file": gettext_lazy("The file has no header row."),
        "not_utf8": gettext_lazy("The file is not UTF-8 text: save it as “CSV UTF-8”."),
        "required_column_missing": gettext_lazy(
            "No column of the file was recognised for a required field: %(detail)s"
        ),
        "file_too_large": gettext_lazy("A file holds at most 60 MB."),
        "too_many_rows": gettext_lazy("A file holds at most 500,000 rows."),
    }
    message = messages.get(error.code)
    if message is None:
        return error.detail
    return str(message) % {"detail": error.detail} if "%(detail)s" in str(message) else str(message)


def _detail_page(
    request: HttpRequest, staff: StaffContext, job: CsvImport, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render_page(
        request,
        "backoffice/import_detail.html",
        {
            "job": job,
            "mapping": selectors.csv_import_fields(job) if job.state == ImportState.CHECKED else [],
            "problems": [
                {**problem, "label": label("import_problem", problem["code"])}
                for problem in job.problems
            ],
            "working": job.state in (ImportState.QUEUED, ImportState.RUNNING),
            "error": error,
        },
        staff=staff,
        section="settings",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(permissions.CONFIGURE)
def import_detail(request: HttpRequest, staff: StaffContext, import_id: int) -> HttpResponse:
    """GET: the dry run (or the progress). POST: check again with the mapping of the form."""
    job = selectors.csv_import_for_store(store=staff.store, import_id=import_id)
    if request.method == "GET":
        return _detail_page(request, staff, job)
    mapping = {
        field["name"]: str(request.POST.get(f"map-{field['name']}", ""))
        for field in selectors.csv_import_fields(job)
    }
    try:
        job = csv_import.csv_recheck(store=staff.store, import_id=job.id, mapping=mapping)
    except RetornoError as error:
        return _detail_page(request, staff, job, error=_file_message(error), status=422)
    return redirect("backoffice:import_detail", import_id=job.id)


@require_POST
@staff_view(permissions.CONFIGURE)
def import_start(request: HttpRequest, staff: StaffContext, import_id: int) -> HttpResponse:
    try:
        csv_import.csv_import_start(store=staff.store, import_id=import_id)
    except RetornoError as error:
        job = selectors.csv_import_for_store(store=staff.store, import_id=import_id)
        return _detail_page(request, staff, job, error=error.detail, status=409)
    return redirect("backoffice:import_detail", import_id=import_id)
