// Puts the test token and Multicall3 on the local chain and funds the payer with 5 USDC.
// The token's runtime code is placed (hardhat_setCode) at Base Sepolia's real USDC address, because the official
// x402 clients only pay "default assets" unless told otherwise. Multicall3 lets the facilitator name failure
// reasons (insufficient balance, nonce already used). Reads the compiled contracts from BUILD_DIR (default build/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, createWalletClient, http, formatUnits } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { chain, RPC, KEYS, USDC, MULTICALL3, PAY_TO } from './common.mjs';

const build = path.resolve(process.env.BUILD_DIR ?? fileURLToPath(new URL('build', import.meta.url)));
const token = JSON.parse(fs.readFileSync(path.join(build, 'TestUSDC.json')));
const multicall = JSON.parse(fs.readFileSync(path.join(build, 'Multicall3Lite.json')));
const deployer = privateKeyToAccount(KEYS.facilitator); // also the facilitator's signer
const [payer, poor] = [KEYS.payer, KEYS.poor].map((k) => privateKeyToAccount(k).address);
const pub = createPublicClient({ chain, transport: http(RPC) });
const wallet = createWalletClient({ account: deployer, chain, transport: http(RPC) });

await pub.request({ method: 'hardhat_setCode', params: [USDC, token.deployedBytecode] });
await pub.request({ method: 'hardhat_setCode', params: [MULTICALL3, multicall.deployedBytecode] });
const hash = await wallet.writeContract({ address: USDC, abi: token.abi, functionName: 'mint', args: [payer, 5_000_000n] });
await pub.waitForTransactionReceipt({ hash });
const balance = await pub.readContract({ address: USDC, abi: token.abi, functionName: 'balanceOf', args: [payer] });
console.log(`token       ${USDC} (EIP-712 "USDC" version "2", 6 decimals); Multicall3 ${MULTICALL3}
payer       ${payer} holds ${formatUnits(balance, 6)} USDC; poor payer ${poor} holds none
payTo       ${PAY_TO} (the merchant); facilitator signer ${deployer.address}`);
