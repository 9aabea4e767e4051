/**
 * The hub, hand-assembled: `iexec app deploy` and `app show` ask the hub one question, where the
 * AppRegistry is. `appregistry()` (selector 0x45b637a9) returns the registry address, any other call
 * reverts, so a CLI command that needs more of the hub fails loudly instead of reading zeros.
 * Returns creation code: a constructor that returns the runtime.
 */
export function hubCode(registry: string): string {
  const runtime = [
    '60003560e01c', // PUSH1 0 CALLDATALOAD PUSH1 0xe0 SHR: the call's selector
    '6345b637a9', // PUSH4 appregistry()
    '14601357', // EQ PUSH1 0x13 JUMPI
    '600080fd', // PUSH1 0 DUP1 REVERT
    `5b73${registry.slice(2)}`, // 0x13: JUMPDEST PUSH20 registry
    '60005260206000f3', // PUSH1 0 MSTORE PUSH1 0x20 PUSH1 0 RETURN
  ].join('');
  const size = (runtime.length / 2).toString(16).padStart(2, '0');
  // Constructor: CODECOPY the runtime that follows these 11 bytes into memory and return it.
  return `0x60${size}80600b6000396000f3${runtime}`;
}
