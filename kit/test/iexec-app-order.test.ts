import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillAppOrder } from '../src/iexec/app-order.js';

/* The app order of iexec.tee.json gets the app deployed on the chain it is signed for, and nothing else changes. */
const ZERO = '0x0000000000000000000000000000000000000000';
const LOCAL_APP = '0x00000000000000000000000000000000000000A1';
const OTHER_APP = '0x00000000000000000000000000000000000000A2';

function module(app: string) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-app-order-'));
  fs.writeFileSync(
    path.join(root, 'chain.json'),
    JSON.stringify({ default: 'local', chains: { local: { id: '31337' }, other: { id: '7' }, bare: {} } }),
  );
  fs.writeFileSync(path.join(root, 'deployed.tee.json'), JSON.stringify({ app: { 31337: LOCAL_APP, 7: OTHER_APP } }));
  fs.writeFileSync(
    path.join(root, 'iexec.tee.json'),
    JSON.stringify({ app: { name: 'x' }, order: { apporder: { app, appprice: '0', volume: '1000' } } }),
  );
  return { root, order: () => JSON.parse(fs.readFileSync(path.join(root, 'iexec.tee.json'), 'utf8')).order.apporder };
}

describe('fillAppOrder', () => {
  it("writes the chain's deployed app over the placeholder or another chain's app, and keeps the rest", () => {
    const m = module(ZERO);
    fillAppOrder(m.root, 'tee', 'local');
    expect(m.order()).toEqual({ app: LOCAL_APP, appprice: '0', volume: '1000' });
    fillAppOrder(m.root, 'tee', 'other');
    expect(m.order().app).toBe(OTHER_APP);
  });

  it('keeps an address the owner typed, and a chain it knows no app on', () => {
    const typed = '0x00000000000000000000000000000000000000C3';
    const m = module(typed);
    fillAppOrder(m.root, 'tee', 'local');
    expect(m.order().app).toBe(typed);
    const bare = module(ZERO);
    fillAppOrder(bare.root, 'tee', 'bare');
    expect(bare.order().app).toBe(ZERO);
  });
});
