"""Logistics writes, one module per sub-domain: `accounts` (carrier accounts and allocation
rules), `planning` (a return's shipment planned), `bookings` (booked with the carriers, its label,
superseded or cancelled), `tracking` (carrier events taken in and applied) and `pickups` (pickup
attempts measured). Failed-pickup recoveries are retorno.logistics.services.recoveries.

Logistics knows returns only as plain data (id, RMA, parcel facts): the orchestration that
moves a return when its parcel moves lives in retorno.returns.workflows, above this package.
Carrier calls never run inside a database transaction. Callers import the module they use.
"""
