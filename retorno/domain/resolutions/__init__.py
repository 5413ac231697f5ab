"""Money and resolutions: refund arithmetic and timing, inspection deductions, the refund ledger
rules, the store-credit wallet, exchanges and keep-the-item. See docs/money.md.

Import from the modules: `refunds`, `timing`, `deductions`, `ledger`, `store_credit`,
`exchange`.
"""
