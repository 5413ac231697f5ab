from __future__ import annotations

from retorno.api.v1.schemas import Problem

# Errors every authenticated operation can answer with; declared so the spec is true.
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 422: Problem}
WRITE_ERRORS = {**ERRORS, 409: Problem}
