"""The Admin GraphQL documents the connector sends (version 2026-04), each sized so that its
requested cost stays well under the single-query limit of 1,000 points."""

from __future__ import annotations

SHOP = """query Shop { shop { name myshopifyDomain currencyCode }
  locations(first: 20) { nodes { id name } } }"""

# A backfill page: 5 orders of up to 10 lines (about 450 points requested, far less used).
ORDERS_PAGE = """query Orders($query: String!, $after: String) {
  orders(first: 5, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes {
      id name email createdAt processedAt currencyCode tags
      customer { id email displayName phone }
      shippingAddress { address1 address2 city zip countryCodeV2 name phone }
      totalShippingPriceSet { shopMoney { amount } }
      fulfillments(first: 3) { status displayStatus deliveredAt updatedAt }
      lineItems(first: 10) {
        nodes {
          id title sku quantity vendor variantTitle
          product { id }
          variant { id selectedOptions { name value } }
          originalUnitPriceSet { shopMoney { amount } }
          totalDiscountSet { shopMoney { amount } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""

ORDERS_COUNT = """query OrdersCount($query: String!) { ordersCount(query: $query, limit: 100000) {
  count precision } }"""

# An order's payments, fulfilled units and returns (about 600 points requested).
ORDER_FOR_RETURN = """query OrderForReturn($id: ID!) { order(id: $id) {
  id
  transactions(first: 10) { id kind status gateway amountSet { shopMoney { amount currencyCode } } }
  fulfillments(first: 5) {
    location { id }
    fulfillmentLineItems(first: 20) { nodes { id quantity lineItem { id } } }
  }
  returns(first: 5) { nodes { id status returnLineItems(first: 20) { nodes {
    ... on ReturnLineItem { quantity fulfillmentLineItem { lineItem { id } } } } } } }
} }"""

RETURN_FOR_DELIVERY = """query ReturnForDelivery($id: ID!) { return(id: $id) { id status
  reverseFulfillmentOrders(first: 5) { nodes { id
    lineItems(first: 50) { nodes { id totalQuantity fulfillmentLineItem { lineItem { id } } } }
    reverseDeliveries(first: 10) { nodes { id deliverable {
      ... on ReverseDeliveryShippingDeliverable { tracking { number } } } } } } } } }"""

VARIANT_BY_SKU = """query VariantBySku($query: String!) { productVariants(first: 1, query: $query) {
  nodes { id sku inventoryItem { id } } } }"""

RETURN_PAYLOAD = "return { id status } userErrors { field message code }"

RETURN_CREATE = f"""mutation ReturnCreate($input: ReturnInput!) {{
  returnCreate(returnInput: $input) {{ {RETURN_PAYLOAD} }} }}"""
RETURN_APPROVE = f"""mutation ReturnApprove($input: ReturnApproveRequestInput!) {{
  returnApproveRequest(input: $input) {{ {RETURN_PAYLOAD} }} }}"""
RETURN_DECLINE = f"""mutation ReturnDecline($input: ReturnDeclineRequestInput!) {{
  returnDeclineRequest(input: $input) {{ {RETURN_PAYLOAD} }} }}"""
RETURN_CANCEL = f"""mutation ReturnCancel($id: ID!) {{
  returnCancel(id: $id, notifyCustomer: false) {{ {RETURN_PAYLOAD} }} }}"""
RETURN_CLOSE = (
    f"""mutation ReturnClose($id: ID!) {{ returnClose(id: $id) {{ {RETURN_PAYLOAD} }} }}"""
)

REVERSE_DELIVERY = """mutation ReverseDelivery($rfo: ID!, $lines: [ReverseDeliveryLineItemInput!]!,
    $tracking: ReverseDeliveryTrackingInput, $label: ReverseDeliveryLabelInput) {
  reverseDeliveryCreateWithShipping(reverseFulfillmentOrderId: $rfo,
      reverseDeliveryLineItems: $lines, trackingInput: $tracking, labelInput: $label,
      notifyCustomer: false) {
    reverseDelivery { id } userErrors { field message code } } }"""

REFUND_CREATE = """mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id totalRefundedSet { shopMoney { amount currencyCode } } }
    userErrors { field message } } }"""

INVENTORY_ADJUST = """mutation Restock($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code } } }"""

ORDER_CREATE = """mutation ExchangeOrder($order: OrderCreateOrderInput!) {
  orderCreate(order: $order, options: { sendReceipt: false }) {
    order { id name } userErrors { field message code } } }"""

ORDER_BY_SOURCE = """query OrderBySource($query: String!) { orders(first: 1, query: $query) {
  nodes { id name } } }"""
