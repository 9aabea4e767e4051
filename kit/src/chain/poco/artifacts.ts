/* PoCo's compiled contracts, read from the unpacked @iexec/poco npm package. */
import fs from 'node:fs';
import path from 'node:path';
import type { InterfaceAbi } from 'ethers';

export interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
  linkReferences?: Record<string, Record<string, Array<{ start: number; length: number }>>>;
}

/** Reads the artifacts of the unpacked package (its `package/` folder). */
export class Artifacts {
  constructor(readonly dir: string) {}

  private read(rel: string): any {
    return JSON.parse(fs.readFileSync(path.join(this.dir, rel), 'utf8'));
  }

  contract(rel: string): Artifact {
    return this.read(`artifacts/contracts/${rel}`);
  }

  /**
   * What PoCo compiles from its dependencies (the diamond's own facets, DiamondInit, RLC) is not under
   * artifacts/: the package's hardhat-deploy records of a public deployment hold its bytecode.
   */
  deployed(name: string): Artifact {
    return this.read(`deployments/arbitrumSepolia/${name}.json`);
  }

  rlc(): Artifact {
    return {
      bytecode: this.deployed('RLC').bytecode,
      abi: this.read('abis/human-readable-abis/rlc-faucet-contract/contracts/RLC.sol/RLC.json'),
    };
  }

  /** The hub's whole interface, as the SDK sees it (IexecInterfaceToken: token mode). */
  hubAbi(): InterfaceAbi {
    return this.contract('IexecInterfaceToken.sol/IexecInterfaceToken.json').abi;
  }

  appAbi(): InterfaceAbi {
    return this.contract('registries/apps/App.sol/App.json').abi;
  }

  datasetAbi(): InterfaceAbi {
    return this.contract('registries/datasets/Dataset.sol/Dataset.json').abi;
  }

  workerpoolRegistry(): Artifact {
    return this.contract('registries/workerpools/WorkerpoolRegistry.sol/WorkerpoolRegistry.json');
  }
}
