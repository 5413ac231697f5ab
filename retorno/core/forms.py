"""Form fields shared by the shopper portal and the back office."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy

from retorno.core import images


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one file input, each checked (not stored yet) against `limits()`, a
    callable so that limits read from settings follow them. Cleans to the list of uploads."""

    default_too_many = gettext_lazy("At most %(count)s photos.")

    def __init__(
        self,
        *args: Any,
        limits: Callable[[], images.PhotoLimits],
        too_many: Any = None,
        accept: str = "image/jpeg,image/png,image/webp",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.too_many = too_many or self.default_too_many

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        limits = self.limits()
        if len(files) > limits.max_count:
            raise forms.ValidationError(str(self.too_many) % {"count": limits.max_count})
        try:
            images.check_submission(files)
        except images.PhotoError as exc:
            raise forms.ValidationError(str(exc)) from None
        errors = []
        for upload in files:
            try:
                images.check_photo(upload, limits)
            except images.PhotoError as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError(errors)
        return files
