#!/usr/bin/env node
// mailauth peer for the spfdoctor benchmark (npm `mailauth`, installed into
// bench/peers/node_modules by bench/run_peers.sh).
//
//   node mailauth_driver.js SERVER PORT < QUERIES > RESULTS
//
// Reads `IP SENDER HELO` lines (SENDER `<>` is the null sender: mailauth then
// checks postmaster@HELO), evaluates each with mailauth's spf() one after the
// other (as a receiving MTA does per message) and prints one result a line.
// DNS: a node:dns Resolver pointed at SERVER:PORT (c-ares underneath; no cache).
'use strict';

const { spf } = require('mailauth/lib/spf');
const { Resolver } = require('node:dns').promises;
const readline = require('node:readline');

async function main() {
    const [server, port] = process.argv.slice(2);
    const r = new Resolver({ timeout: 5000, tries: 2 });
    r.setServers([`${server}:${port}`]);
    const resolver = (name, type) => r.resolve(name, type);
    const lines = [];
    for await (const line of readline.createInterface({ input: process.stdin })) {
        const f = line.trim().split(/\s+/);
        if (f.length === 3 && !line.startsWith('#')) lines.push(f);
    }
    const out = [];
    for (const [ip, sender, helo] of lines) {
        let res;
        try {
            const r1 = await spf({ ip, sender: sender === '<>' ? '' : sender, helo, mta: 'bench.invalid', resolver });
            res = r1.status.result;
        } catch (e) {
            res = 'error:' + (e.code || e.name);
        }
        out.push(res);
    }
    process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
}

main().catch(e => {
    console.error('mailauth_driver:', e);
    process.exit(1);
});
