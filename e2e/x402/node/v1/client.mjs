// The legacy x402 v1 client (x402-fetch 1.2.0): it reads the 402 body {x402Version:1, accepts}, sends X-PAYMENT
// and reads X-PAYMENT-RESPONSE. Signs offline with the Hardhat payer key for chain 84532 ("base-sepolia").
// Prints ONE JSON line on stdout: {status, paymentSignatures, paymentResponse, contentType, cacheControl, body, error}
// (paymentSignatures: the raw X-PAYMENT headers sent; paymentResponse: X-PAYMENT-RESPONSE decoded by the library).
// Usage: node v1/client.mjs URL   (needs npm ci both in node/ and in node/v1/)
import { wrapFetchWithPayment, decodeXPaymentResponse } from 'x402-fetch';
import { createWalletClient, http, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { baseSepolia } from 'viem/chains';
import { KEYS, RPC } from '../common.mjs';

const url = process.argv[2];
if (!url) {
  console.error('usage: node v1/client.mjs URL');
  process.exit(2);
}
const wallet = createWalletClient({ account: privateKeyToAccount(KEYS.payer), chain: baseSepolia, transport: http(RPC) })
  .extend(publicActions);
const out = { status: 0, paymentSignatures: [], paymentResponse: null, contentType: null, cacheControl: null, body: null,
  error: null };
const recordingFetch = async (input, init) => {
  const req = new Request(input, init);
  const sig = req.headers.get('X-PAYMENT');
  if (sig) out.paymentSignatures.push(sig);
  return fetch(req);
};
try {
  const res = await wrapFetchWithPayment(recordingFetch, wallet)(url);
  out.status = res.status;
  out.contentType = res.headers.get('content-type');
  out.cacheControl = res.headers.get('cache-control');
  out.body = (await res.text()).slice(0, 4000);
  const h = res.headers.get('X-PAYMENT-RESPONSE');
  if (h) out.paymentResponse = decodeXPaymentResponse(h);
} catch (e) {
  out.error = e instanceof Error ? e.message : String(e);
}
console.log(JSON.stringify(out));
