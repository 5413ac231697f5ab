"""How a webhook's payload shows its object: as the API shows it.

The API (an interface, above this capability) registers a renderer per object type when the
application starts (retorno.api.apps); a payload then carries exactly the body a GET of the
object returns at the moment of the event. An object type with no renderer (a process that
did not load the API) is shown by its reference only, so publishing never fails on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from retorno.stores.models import Store

Renderer = Callable[[Store, Any], dict[str, Any]]
_renderers: dict[str, Renderer] = {}


def renderer_register(object_type: str, renderer: Renderer) -> None:
    _renderers[object_type] = renderer


def object_render(object_type: str, store: Store, ref: Any) -> dict[str, Any]:
    """The object's body (JSON-ready), or `{"ref": ref}` without a renderer. A `ref` that is
    already a dict is the body (objects the API has no endpoint for, such as a restock)."""
    if isinstance(ref, dict):
        return ref
    renderer = _renderers.get(object_type)
    if renderer is None:
        return {"ref": ref}
    return renderer(store, ref)
