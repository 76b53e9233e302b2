// The official x402 v2 client (@x402/fetch 2.27.0 + the "exact" EVM scheme of @x402/evm), signing offline with
// a Hardhat test key, as X402EndToEndIT drives it. Prints ONE JSON line on stdout:
//   {status, paymentRequired, lastPaymentRequired, paymentSignatures, paymentResponse, contentType, cacheControl, body, error}
// paymentRequired: the decoded PAYMENT-REQUIRED header of the first 402 (null without one), lastPaymentRequired
// that of the final response when it is a 402 too (the refusal of a payment: its error says why);
// paymentSignatures: every PAYMENT-SIGNATURE header the client sent, raw (base64), so the test can replay them;
// paymentResponse: the final response's PAYMENT-RESPONSE, decoded by the client library (null without one).
// Usage: node client.mjs URL [payer|poor] [--sign-only]
//   --sign-only: the paid request is not sent; the client signs, the header is printed, the status is 0.
import { privateKeyToAccount } from 'viem/accounts';
import { x402Client, wrapFetchWithPayment, decodePaymentResponseHeader } from '@x402/fetch';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { KEYS } from './common.mjs';

const args = process.argv.slice(2);
const signOnly = args.includes('--sign-only');
const [url, who = 'payer'] = args.filter((a) => a !== '--sign-only');
if (!url || !KEYS[who] || who === 'facilitator') {
  console.error('usage: node client.mjs URL [payer|poor] [--sign-only]');
  process.exit(2);
}
const client = new x402Client();
registerExactEvmScheme(client, { signer: privateKeyToAccount(KEYS[who]) });

const out = { status: 0, paymentRequired: null, lastPaymentRequired: null, paymentSignatures: [], paymentResponse: null, contentType: null,
  cacheControl: null, body: null, error: null };
const decodeBase64Json = (h) => JSON.parse(Buffer.from(h, 'base64').toString('utf8'));
// The fetch the client library calls: records what went over the wire.
const recordingFetch = async (input, init) => {
  const req = new Request(input, init);
  const sig = req.headers.get('PAYMENT-SIGNATURE');
  if (sig) {
    out.paymentSignatures.push(sig);
    if (signOnly) return new Response('signed, not sent', { status: 299 });
  }
  const res = await fetch(req);
  const required = res.headers.get('PAYMENT-REQUIRED');
  if (required && out.paymentRequired === null) out.paymentRequired = decodeBase64Json(required);
  return res;
};
try {
  const res = await wrapFetchWithPayment(recordingFetch, client)(url);
  if (!signOnly) {
    out.status = res.status;
    out.contentType = res.headers.get('content-type');
    out.cacheControl = res.headers.get('cache-control');
    const last = res.status === 402 ? res.headers.get('PAYMENT-REQUIRED') : null;
    if (last) out.lastPaymentRequired = decodeBase64Json(last);
    out.body = (await res.text()).slice(0, 4000);
    const pr = res.headers.get('PAYMENT-RESPONSE');
    if (pr) out.paymentResponse = decodePaymentResponseHeader(pr);
  }
} catch (e) {
  out.error = e instanceof Error ? e.message : String(e);
}
console.log(JSON.stringify(out));
