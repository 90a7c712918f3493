// Browser tests of the spfdoctor web page, in real headless Chromium (Debian's
// /usr/bin/chromium) driven by playwright-core. No browser is ever downloaded.
//
//   node browser_test.mjs [SPFDOCTOR]
//
// SPFDOCTOR defaults to build/spfdoctor; screenshots go to $SCREENSHOT_DIR
// (default build/web-artifacts/). Prints "browser: N passed, M failed".
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const binary = path.resolve(process.argv[2] || process.env.SPFDOCTOR || path.join(root, 'build/spfdoctor'));
const shots = path.resolve(process.env.SCREENSHOT_DIR || path.join(root, 'build/web-artifacts'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(shots, { recursive: true });

// The bounce to upload: a 5.7.23 fixture from tests/data/bounces/ when there is
// one (served with that folder's master files), else a real bounce from the
// shared corpus (Gmail, SPF did not pass) with tests/web/fixtures/bounce.zone.
function pickBounce() {
  const dir = path.join(root, 'tests/data/bounces');
  if (fs.existsSync(dir)) {
    const files = fs.readdirSync(dir).sort();
    const m57 = files.filter((f) => /\.eml$/i.test(f) && fs.readFileSync(path.join(dir, f), 'latin1').includes('5.7.23'));
    const best = m57.find((f) => f.includes('ip-not-in-record')) || m57[0];
    if (best) {
      return { file: path.join(dir, best), zones: files.filter((f) => f.endsWith('.zone')).map((f) => path.join(dir, f)), fixture: true };
    }
  }
  return { file: path.resolve(root, '../shared/corpus/bounces/rhost-google-04.eml'), zones: [path.join(here, 'fixtures/bounce.zone')], fixture: false };
}
const bounce = pickBounce();
const bounceFile = bounce.file;

// ---------------------------------------------------------------- the server
function startServer(zones) {
  return new Promise((resolve, reject) => {
    const args = ['serve', '--listen', '127.0.0.1:0', ...zones.flatMap((z) => ['--zone', z])];
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error('serve did not start: ' + err)), 15000);
    proc.stderr.on('data', (chunk) => {
      err += chunk;
      const m = err.match(/serving on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `http://127.0.0.1:${m[1]}` });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${err}`));
    });
  });
}

// ---------------------------------------------------------------- tiny harness
let passed = 0;
let failed = 0;
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
function expect(cond, what) {
  if (!cond) throw new Error(what);
}
async function textOf(page, sel) {
  return (await page.locator(sel).first().textContent({ timeout: 10000 })) || '';
}
async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name), fullPage: true });
}

// ---------------------------------------------------------------- tests
test('page loads from the binary: three labelled tabs, styles and script applied, no console errors', async ({ page, base, problems }) => {
  const res = await page.goto(base + '/');
  expect(res.status() === 200, 'GET / status ' + res.status());
  expect((res.headers()['content-security-policy'] || '').includes("default-src 'self'"), 'CSP header missing');
  expect((await page.title()).includes('spfdoctor'), 'title');
  const tabs = await page.locator('[role=tab]').allTextContents();
  expect(JSON.stringify(tabs) === JSON.stringify(['Check a domain', 'Test an IP', 'Read a bounce']), 'tabs: ' + tabs);
  const btnBg = await page.locator('#lint-submit').evaluate((e) => getComputedStyle(e).backgroundColor);
  expect(btnBg !== 'rgba(0, 0, 0, 0)' && btnBg !== 'rgb(239, 239, 239)', 'style.css not applied: ' + btnBg);
  // Every form control has a label.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
    .filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id));
  expect(unlabelled.length === 0, 'inputs without a label: ' + unlabelled);
  await page.waitForTimeout(100);
  expect(problems.length === 0, 'console: ' + problems.join(' | '));
  await shot(page, '01-empty.png');
});

test('lint toomany.example with the keyboard: gauge 12/10, too-many-lookups with its fix, foldable tree', async ({ page, base }) => {
  await page.goto(base + '/');
  await page.locator('#lint-domain').focus();
  await page.keyboard.type('toomany.example');
  await page.keyboard.press('Enter');
  await page.locator('#lint-verdict').waitFor();
  expect((await textOf(page, '#gauge-lookups .gauge-value')) === '12/10', 'gauge: ' + (await textOf(page, '#gauge-lookups .gauge-value')));
  expect((await textOf(page, '#gauge-void .gauge-value')) === '0/2', 'void gauge');
  expect(await page.locator('#gauge-lookups').evaluate((e) => e.classList.contains('gauge-over')), 'gauge not red');
  const finding = page.locator('.finding[data-id="too-many-lookups"]');
  expect(await finding.isVisible(), 'too-many-lookups finding not visible');
  expect((await finding.textContent()).includes('Fix:'), 'finding has no fix');
  expect((await textOf(page, '#lint-verdict')).includes('error'), 'verdict');
  // The tree: the top node and its 12 includes.
  const nodes = page.locator('#lint-tree details.node');
  expect((await nodes.count()) === 13, 'tree nodes: ' + (await nodes.count()));
  expect((await textOf(page, '#lint-tree details.node[data-domain="inc11.example"] > summary')).includes('inc11.example'), 'inc11 in tree');
  // Fold and unfold the top node with Enter and Space on its summary.
  const top = page.locator('#lint-tree > details.node');
  const topSummary = top.locator(':scope > summary');
  expect(await top.evaluate((d) => d.open), 'top node starts open');
  await topSummary.focus();
  await page.keyboard.press('Enter');
  expect(!(await top.evaluate((d) => d.open)), 'Enter did not fold the tree');
  expect(!(await page.locator('#lint-tree details[data-domain="inc5.example"] > summary').isVisible()), 'children visible when folded');
  await page.keyboard.press('Space');
  expect(await top.evaluate((d) => d.open), 'Space did not unfold the tree');
  // A leaf: folded at first, unfolds to show its record and networks.
  const leaf = page.locator('#lint-tree details[data-domain="inc5.example"]');
  await leaf.locator(':scope > summary').focus();
  await page.keyboard.press('Enter');
  expect(await leaf.evaluate((d) => d.open), 'leaf did not unfold');
  expect((await leaf.textContent()).includes('203.0.113.5/32'), 'leaf networks');
  // Focus is visible.
  const outline = await leaf.locator(':scope > summary').evaluate((e) => getComputedStyle(e).outlineStyle);
  expect(outline !== 'none', 'no visible focus on summary');
  expect((await textOf(page, '#lint-result')).includes('How to get under 10 lookups'), 'flattening suggestion');
  expect(new URL(page.url()).searchParams.get('domain') === 'toomany.example', 'URL not shareable: ' + page.url());
  await page.getByRole('button', { name: 'Expand all' }).click();
  await shot(page, '02-lint-toomany.png');
});

test('lint a clean domain: verdict ok, 1/10, tree with the provider include', async ({ page, base }) => {
  await page.goto(base + '/');
  await page.fill('#lint-domain', 'clean.example');
  await page.click('#lint-submit');
  await page.locator('#lint-verdict').waitFor();
  expect(await page.locator('#lint-verdict').evaluate((e) => e.classList.contains('verdict-ok')), 'verdict not ok');
  expect((await textOf(page, '#lint-verdict')).includes('No problems'), 'verdict text');
  expect((await textOf(page, '#gauge-lookups .gauge-value')) === '1/10', 'gauge');
  expect((await textOf(page, '#lint-findings')).includes('Nothing to fix'), 'findings');
  expect(await page.locator('#lint-tree details[data-domain="_spf.provider.example"]').isVisible(), 'provider include in tree');
  expect((await textOf(page, '#lint-result pre.record')).includes('v=spf1 ip4:192.0.2.0/24'), 'record shown');
  await shot(page, '03-lint-clean.png');
});

test('what-if record and an IP: the record is checked instead, ip_check passes through the include', async ({ page, base }) => {
  await page.goto(base + '/');
  await page.fill('#lint-domain', 'm365.example');
  await page.locator('#lint-whatif > summary').focus();
  await page.keyboard.press('Enter');
  expect(await page.locator('#lint-record').isVisible(), 'what-if textarea did not open');
  await page.fill('#lint-record', 'v=spf1 include:spf.protection.outlook.com -all');
  await page.fill('#lint-ip', '40.107.1.1');
  await page.fill('#lint-sender', 'alice@m365.example');
  await page.click('#lint-submit');
  await page.locator('#lint-ipcheck').waitFor();
  const ip = await textOf(page, '#lint-ipcheck');
  expect(ip.includes('pass'), 'ip_check result: ' + ip);
  expect(ip.includes('include:spf.protection.outlook.com') && ip.includes('ip4:40.107.0.0/16'), 'match path: ' + ip);
  expect((await textOf(page, '#lint-verdict')).includes('what-if'), 'what-if note');
  expect((await textOf(page, '#lint-result')).includes('Microsoft 365'), 'provider row');
  const q = new URL(page.url()).searchParams;
  expect(q.get('record') === 'v=spf1 include:spf.protection.outlook.com -all' && q.get('ip') === '40.107.1.1', 'URL: ' + page.url());
  await shot(page, '04-lint-whatif-ip.png');
  // The published record without the include: the warning comes back.
  await page.fill('#lint-record', '');
  await page.click('#lint-submit');
  await page.locator('.finding[data-id="provider-include-missing"]').waitFor();
  expect((await textOf(page, '#lint-ipcheck')).includes('fail'), 'published record should fail 40.107.1.1');
});

test('bad input: the API error is shown in an alert', async ({ page, base }) => {
  await page.goto(base + '/');
  await page.click('#lint-submit');
  expect(await page.locator('#lint-error[role=alert]').isVisible(), 'empty domain: no alert');
  await page.fill('#lint-domain', 'not a domain!');
  await page.click('#lint-submit');
  await page.locator('#lint-error').filter({ hasText: 'not a domain name' }).waitFor();
  await page.fill('#lint-domain', 'clean.example');
  await page.fill('#lint-ip', '300.1.2.3');
  await page.click('#lint-submit');
  await page.locator('#lint-error').filter({ hasText: 'not an IP address' }).waitFor();
  await shot(page, '05-lint-error.png');
  expect((await page.locator('#lint-result').textContent()) === '', 'stale result left under the error');
});

test('Test an IP tab (arrow keys): result, matched term, trace; fail with explanation', async ({ page, base }) => {
  await page.goto(base + '/');
  await page.locator('#tab-lint').focus();
  await page.keyboard.press('ArrowRight');
  expect(await page.locator('#panel-eval').isVisible(), 'ArrowRight did not open the eval tab');
  expect(await page.locator('#tab-eval').evaluate((e) => e === document.activeElement), 'focus not on the eval tab');
  await page.fill('#eval-ip', '198.51.100.7');
  await page.fill('#eval-sender', 'alice@clean.example');
  await page.click('#eval-submit');
  await page.locator('#eval-verdict').waitFor();
  expect((await textOf(page, '#eval-verdict')).includes('pass'), 'eval pass');
  expect((await textOf(page, '#eval-result')).includes('include:_spf.provider.example'), 'matched include');
  expect((await page.locator('#eval-trace li').count()) > 3, 'trace');
  const q = new URL(page.url()).searchParams;
  expect(q.get('eval') === '1' && q.get('ip') === '198.51.100.7' && q.get('sender') === 'alice@clean.example', 'URL: ' + page.url());
  await shot(page, '06-eval-pass.png');
  await page.fill('#eval-ip', '192.0.2.99');
  await page.fill('#eval-sender', 'bob@toomany.example');
  await page.click('#eval-submit');
  await page.locator('#eval-verdict').filter({ hasText: 'permerror' }).waitFor();
  expect((await textOf(page, '#eval-result')).includes('more than 10 DNS lookups'), 'permerror problem');
  await shot(page, '07-eval-permerror.png');
});

test('upload a bounce file: recipients, original facts, diagnosis, steps and the text for the remote admin', async ({ page, bounceBase }) => {
  await page.goto(bounceBase + '/?tab=bounce');
  expect(await page.locator('#panel-bounce').isVisible(), '?tab=bounce');
  await page.setInputFiles('#bounce-file', bounceFile);
  await page.locator('#bounce-verdict').waitFor();
  const verdict = await textOf(page, '#bounce-verdict');
  expect(verdict.length > 20, 'diagnosis summary: ' + verdict);
  const table = await textOf(page, '#bounce-recipients');
  expect(/5\.7\.\d+/.test(table) && /55\d/.test(table), 'recipient status and reply code: ' + table);
  expect((await page.locator('#bounce-causes .cause').count()) >= 1, 'causes');
  const admin = await textOf(page, '#bounce-admin-text');
  expect(admin.includes('5.7.'), 'remote admin text quotes the error');
  expect((await textOf(page, '#bounce-result')).includes('What to do, in order'), 'steps');
  await page.getByRole('button', { name: 'Copy text' }).click();
  await page.locator('#bounce-admin .copy-status').filter({ hasText: /Copied|copy/ }).waitFor();
  expect(!page.url().includes('5.7'), 'bounce leaked into the URL');
  if (bounce.fixture) {
    expect(table.includes('5.7.23') && admin.includes('5.7.23'), '5.7.23 in the table and the remote-admin text');
  } else {
    expect(verdict.includes('192.0.2.22'), 'summary names the IP');
    expect(await page.locator('#bounce-causes .cause[data-id="spf-ip-not-authorized"]').isVisible(), 'spf-ip-not-authorized');
  }
  await shot(page, '08-bounce.png');
});

test('paste garbage as a bounce: alert with the server\'s reason', async ({ page, base }) => {
  await page.goto(base + '/?tab=bounce');
  await page.fill('#bounce-text', 'this is not a mail message');
  await page.click('#bounce-submit');
  await page.locator('#bounce-error').filter({ hasText: 'not a mail message' }).waitFor();
  await page.click('#bounce-clear');
  await page.click('#bounce-submit');
  expect((await textOf(page, '#bounce-error')).includes('Paste the bounce'), 'empty bounce');
});

test('shareable URLs load and run the check directly', async ({ page, base }) => {
  await page.goto(base + '/?domain=toomany.example&ip=203.0.113.5');
  await page.locator('#lint-ipcheck').waitFor();
  expect((await page.inputValue('#lint-domain')) === 'toomany.example', 'domain filled from the URL');
  expect((await textOf(page, '#gauge-lookups .gauge-value')) === '12/10', 'gauge');
  expect((await textOf(page, '#lint-ipcheck')).includes('inc5.example'), 'match path');
  expect((await page.inputValue('#share-url')) === page.url(), 'share box shows the URL');
  await shot(page, '09-shared-lint.png');
  await page.goto(base + '/?eval=1&ip=192.0.2.77&sender=bob%40clean.example');
  await page.locator('#eval-verdict').waitFor();
  expect(await page.locator('#panel-eval').isVisible(), 'eval tab selected');
  expect((await textOf(page, '#eval-verdict')).includes('pass'), 'eval from URL');
  // Back returns to the previous check.
  await page.goBack();
  await page.locator('#lint-verdict').filter({ hasText: 'toomany.example' }).waitFor();
});

test('narrow screen (375 px): no sideways scrolling', async ({ page, base, bounceBase }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(base + '/?domain=toomany.example&ip=203.0.113.5');
  await page.locator('#lint-verdict').waitFor();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide <= 0, `page is ${wide}px wider than the screen`);
  await shot(page, '10-mobile-lint.png');
  await page.goto(bounceBase + '/?tab=bounce');
  await page.setInputFiles('#bounce-file', bounceFile);
  await page.locator('#bounce-verdict').waitFor();
  const wide2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide2 <= 0, `bounce page is ${wide2}px wider than the screen`);
  await shot(page, '11-mobile-bounce.png');
});

// ---------------------------------------------------------------- run
const server = await startServer([path.join(root, 'tests/data/lint.zone'), path.join(here, 'fixtures/bounce.zone')]);
// The bounce fixtures' master file may name the same hosts as lint.zone: its own server.
const bounceServer = bounce.fixture ? await startServer(bounce.zones) : server;
console.log(`bounce file: ${path.relative(root, bounceFile)}`);
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spfdoctor-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  // Nothing may leave loopback: the page works offline, with no CDN.
  const outside = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.protocol === 'data:') return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  test('the page asked for nothing outside this server', async () => {
    expect(outside.length === 0, 'requests: ' + outside.join(' '));
  });
  for (const t of tests) {
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    try {
      await t.fn({ page, base: server.base, bounceBase: bounceServer.base, problems });
      const body = await page.locator('body').innerText();
      const junk = body.match(/\[object \w+\]|\bundefined\b|\bNaN\b/);
      expect(!junk, 'the page shows "' + (junk && junk[0]) + '"');
      const csp = problems.filter((p) => /Content Security Policy|page error/.test(p));
      expect(csp.length === 0, csp.join(' | '));
      passed++;
      console.log(`ok    ${t.name}`);
    } catch (err) {
      failed++;
      console.log(`FAIL  ${t.name}\n      ${String(err.message).split('\n')[0]}`);
      await page.screenshot({ path: path.join(shots, 'failed-' + t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60) + '.png'), fullPage: true }).catch(() => {});
    }
    await page.close();
  }
} catch (err) {
  failed++;
  console.log('FAIL  could not run the browser: ' + err.message);
} finally {
  if (context) await context.close();
  server.proc.kill('SIGTERM');
  if (bounceServer !== server) bounceServer.proc.kill('SIGTERM');
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`screenshots: ${shots}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
