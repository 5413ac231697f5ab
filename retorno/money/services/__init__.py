"""Writes of money, one module per sub-domain: `refunds`, `store_credit`, `exchanges`,
`charges`, `claims`, with `fulfilment` (exchange orders sent to the store) and `settings`.

The rules are the domain's (retorno.domain.money); these functions lock, read the facts,
ask the domain, and write. Refunds to the original payment are two steps, never one:

1. `refund_plan` + `refund_record` (inside the caller's transaction, the order row locked):
   the refund row is written PENDING with its idempotency key, and an outbox message asks for
   it to be sent once the transaction commits.
2. `refund_send` (outside any transaction): takes a short lease on the row, calls the payment
   adapter with the row's key, then records the outcome under the row's lock. A crash between
   the call and the commit leaves the row PENDING with the same key; the re-drive sends that key
   again and the provider answers with the refund it already made.

Charges (taking money from the shopper: a dearer exchange's difference, an instant exchange's
original that never came back) are the same two steps: `charge_record`, then `charge_send`.
"""
