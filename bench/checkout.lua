-- wrk script for the checkout benchmark (scripts/bench.sh): every connection is a buyer who
-- puts one unit of $BENCH_VARIANT in a new guest cart (POST /api/v1/cart/items, which answers
-- with the cart's token) and checks it out (POST /api/v1/orders with that token). A thread keeps
-- the tokens it was given and spends each once. At the end it prints how many orders were
-- placed (201), refused as out of stock at checkout (409), refused at the cart because none are
-- left to add (422), and anything else.
local variant = os.getenv("BENCH_VARIANT")
local method = os.getenv("BENCH_METHOD")
local add_body = '{"variant_id":"' .. variant .. '","quantity":1}'
local order_body = '{"shipping_method_id":"' .. method .. '","email":"bench@example.com",'
  .. '"shipping_address":{"full_name":"Bench Buyer","line1":"1 Load St","city":"Berlin",'
  .. '"postal_code":"10115","country":"DE"}}'
local json = { ["Content-Type"] = "application/json" }

tokens = {}
placed, refused, cart_refused, other = 0, 0, 0, 0

function request()
  local token = table.remove(tokens)
  if token then
    return wrk.format("POST", "/api/v1/orders",
      { ["Content-Type"] = "application/json", ["X-Cart-Token"] = token }, order_body)
  end
  return wrk.format("POST", "/api/v1/cart/items", json, add_body)
end

function response(status, headers, body)
  local token = headers["x-cart-token"] or headers["X-Cart-Token"]
  if token then
    table.insert(tokens, token)
  elseif status == 201 then
    placed = placed + 1
  elseif status == 409 then
    refused = refused + 1
  elseif status == 422 then
    cart_refused = cart_refused + 1
  else
    other = other + 1
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local p, r, c, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    p = p + t:get("placed")
    r = r + t:get("refused")
    c = c + t:get("cart_refused")
    o = o + t:get("other")
  end
  io.write(string.format("checkout: placed %d refused %d cart_refused %d other %d\n", p, r, c, o))
end
