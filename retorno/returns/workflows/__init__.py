"""What happens to a return across the capabilities: its parcel (shipping), its arrival at the
warehouse (receiving, inspection), its money (refunds, charges, exchanges, resolving), claims,
and the shopper's messages.

Each workflow is a set of commands on the return kernel (`retorno.returns.events` and
`retorno.returns.locks`) that call the capabilities' services, and the handlers that the table
in `retorno.returns.handlers` runs for each kind of event. Workflows import the kernel and the
capabilities, never the interfaces; a workflow may import another one lower in this order:
refunds → charges → exchanges → resolving; receiving and inspection; shipping; claims; messages.
"""
