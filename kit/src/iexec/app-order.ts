/*
 * The app order as data: the "order" section of the profile's iexec.json, which `iexec order sign --app`
 * reads (iexec 9.0.1 and 8.24.0 cli/cmd/iexec-order.js, sign: iexecConf.order.apporder). Its `app` must be
 * the deployed app of the chain it is signed for; the module ships it as the zero address, and a module
 * deployed on several chains has one app per chain, so before each sign the wrapper writes the app that
 * the profile's deployed.json records for the chain, when it knows one, and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROFILES, type ProfileName, readJson } from './module.js';

const NULL_ADDRESS = '0x0000000000000000000000000000000000000000';

export function fillAppOrder(root: string, profileName: ProfileName, chain: string): void {
  const fileName = PROFILES[profileName]['iexec.json'];
  const file = path.join(root, fileName);
  const conf = readJson(file);
  const apporder = conf?.order?.apporder;
  if (typeof apporder !== 'object' || apporder === null) return;
  const chainId = readJson(path.join(root, 'chain.json'))?.chains?.[chain]?.id;
  const deployedFile = path.join(root, PROFILES[profileName]['deployed.json']);
  const deployed: Record<string, string> = (fs.existsSync(deployedFile) && readJson(deployedFile)?.app) || {};
  const app = chainId === undefined ? undefined : deployed[String(chainId)];
  // Only the placeholder or an app of this module's own deployments is replaced: an address typed in stays.
  const replaceable = apporder.app === NULL_ADDRESS || Object.values(deployed).includes(apporder.app);
  if (!app || !replaceable || apporder.app === app) return;
  apporder.app = app;
  const written = `${file}.${process.pid}`;
  fs.writeFileSync(written, `${JSON.stringify(conf, null, 2)}\n`);
  fs.renameSync(written, file);
  console.error(`${fileName}: order.apporder.app set to ${app} (${PROFILES[profileName]['deployed.json']}, chain ${chain})`);
}
