"""Calculated query cost and the leaky bucket, as Shopify's rate-limit reference describes them.

A field returning a scalar or an enum costs 0, an object 1, a connection 2 plus its `first` (or
`last`) times the cost of one node; a mutation's root field costs 10. The requested cost is taken
from the bucket before the query runs; the difference from the actual cost (connections as
returned, not as asked) is given back afterwards. The bucket refills at `restore_rate` a second.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)

MUTATION_COST = 10
MAX_SINGLE_QUERY_COST = 1000


def _selections(
    selection_set: SelectionSetNode | None, fragments: dict[str, Any]
) -> list[FieldNode]:
    fields: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            fields.extend(_selections(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                fields.extend(_selections(fragment.selection_set, fragments))
    return fields


def _size(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            value = value_from_ast_untyped(argument.value, variables)
            return int(value or 0)
    return None


def _field_type(parent: Any, name: str) -> Any:
    fields = getattr(parent, "fields", None) or {}
    field = fields.get(name)
    return get_named_type(field.type) if field is not None else None


def _cost(
    schema: GraphQLSchema,
    parent: Any,
    fields: list[FieldNode],
    fragments: dict[str, Any],
    variables: dict[str, Any],
    data: Any,
) -> int:
    total = 0
    for node in fields:
        if node.name.value == "__typename":
            continue
        named = _field_type(parent, node.name.value)
        if named is None or is_leaf_type(named):
            continue
        key = node.alias.value if node.alias else node.name.value
        value = data.get(key) if isinstance(data, dict) else None
        children = _selections(node.selection_set, fragments)
        if named.name.endswith("Connection"):
            node_type = _field_type(named, "nodes")
            node_fields: list[FieldNode] = []
            for child in children:
                if child.name.value == "nodes":
                    node_fields.append(child)
                elif child.name.value == "edges":
                    node_fields += [
                        c
                        for c in _selections(child.selection_set, fragments)
                        if c.name.value == "node"
                    ]
            if data is None:
                per_node = sum(
                    1
                    + _cost(
                        schema,
                        node_type,
                        _selections(f.selection_set, fragments),
                        fragments,
                        variables,
                        None,
                    )
                    for f in node_fields
                )
                total += 2 + (_size(node, variables) or 0) * per_node
            else:
                returned = (value or {}).get("nodes") or [
                    edge.get("node") for edge in (value or {}).get("edges") or []
                ]
                total += 2 + sum(
                    1
                    + _cost(
                        schema,
                        node_type,
                        _selections(node_fields[0].selection_set, fragments),
                        fragments,
                        variables,
                        item,
                    )
                    for item in returned
                    if node_fields
                )
        elif isinstance(value, list) and data is not None:
            total += sum(
                1 + _cost(schema, named, children, fragments, variables, item) for item in value
            )
        else:
            size = _size(node, variables) if isinstance(named, GraphQLObjectType) else None
            inner = _cost(schema, named, children, fragments, variables, value)
            total += (size or 1) * (1 + inner) if data is None else 1 + inner
    return total


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any],
    data: dict[str, Any] | None = None,
) -> int:
    """The requested cost (data None) or the actual one (data: the result's data)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [
            o for o in operations if o.name is not None and o.name.value == operation_name
        ]
    if not operations:
        return 0
    operation = operations[0]
    fields = _selections(operation.selection_set, fragments)
    if operation.operation == OperationType.MUTATION:
        return MUTATION_COST * len(fields)
    return _cost(schema, schema.query_type, fields, fragments, variables, data)


class Bucket:
    """One app's bucket on the store: `maximum` points, refilled at `restore_rate` a second."""

    def __init__(self, maximum: float, restore_rate: float, clock: Any = time.monotonic):
        self.maximum = maximum
        self.restore_rate = restore_rate
        self.clock = clock
        self.available = maximum
        self.at = clock()
        self.lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self.available = min(self.maximum, self.available + (now - self.at) * self.restore_rate)
        self.at = now

    def take(self, cost: int) -> bool:
        with self.lock:
            self._refill()
            if cost > self.available:
                return False
            self.available -= cost
            return True

    def give_back(self, points: int) -> None:
        with self.lock:
            self._refill()
            self.available = min(self.maximum, self.available + max(0, points))

    def drain(self, to: float = 0) -> None:
        with self.lock:
            self.available = to
            self.at = self.clock()

    def status(self) -> dict[str, float]:
        with self.lock:
            self._refill()
            return {
                "maximumAvailable": float(self.maximum),
                "currentlyAvailable": float(int(self.available)),
                "restoreRate": float(self.restore_rate),
            }
