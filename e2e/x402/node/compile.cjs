// Compiles contracts/*.sol with solc-js (the npm "solc" package, so no compiler download) into BUILD_DIR
// (default build/) as <Contract>.json with abi, bytecode and deployedBytecode.
const solc = require('solc');
const fs = require('fs');
const path = require('path');

const contracts = path.join(__dirname, 'contracts');
const out = path.resolve(process.env.BUILD_DIR ?? path.join(__dirname, 'build'));
const sources = {};
for (const f of fs.readdirSync(contracts)) sources[f] = { content: fs.readFileSync(path.join(contracts, f), 'utf8') };
const input = { language: 'Solidity', sources, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } } } };
const result = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (result.errors || []).filter((e) => e.severity === 'error');
if (errors.length) { console.error(errors.map((e) => e.formattedMessage).join('\n')); process.exit(1); }
fs.mkdirSync(out, { recursive: true });
for (const compiled of Object.values(result.contracts)) {
  for (const [name, c] of Object.entries(compiled)) {
    fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify({ abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object, deployedBytecode: '0x' + c.evm.deployedBytecode.object }));
  }
}
console.log(`compiled ${Object.keys(sources).join(', ')} with solc ${solc.version()} into ${out}`);
