"""Files handed to a browser or an API client: a stored private file, or a redirect to the copy
another service hosts."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect


def stored_or_redirect(*, path: str, url: str, filename: str, content_type: str) -> HttpResponse:
    """The file at `path` in the default storage, never cached (it is one person's), or a
    redirect to `url` when there is no stored file."""
    if not path:
        return HttpResponseRedirect(url)
    response = FileResponse(
        default_storage.open(path, "rb"), content_type=content_type, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]  # a streamed file; callers only return it
