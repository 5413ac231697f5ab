"""The Retorno carrier simulator (`retorno carrier_sim`) and its gateway adapter.

`server` is a small HTTP service behaving like a carrier (several at once, one per path prefix
/carriers/<code>/), `adapter` is the CarrierGateway that talks to it. docs/carriers.md tells how
to run and steer it.
"""
