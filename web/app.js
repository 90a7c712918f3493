// spfdoctor web page: plain JavaScript, no framework, no build step.
// Everything the API returns is put in the page with textContent (never as HTML).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // h('div', {class: 'x'}, 'text', child, [children]) -> element
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + 's'}`;

  function announce(text) {
    const a = $('announce');
    a.textContent = '';
    setTimeout(() => { a.textContent = text; }, 30);
  }

  // ---------------------------------------------------------------- tabs
  const tabs = ['lint', 'eval', 'bounce'];
  function selectTab(name, focus) {
    for (const t of tabs) {
      const tab = $('tab-' + t);
      const on = t === name;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      $('panel-' + t).hidden = !on;
    }
    if (focus) $('tab-' + name).focus();
  }
  function currentTab() {
    return tabs.find((t) => $('tab-' + t).getAttribute('aria-selected') === 'true');
  }
  $('tabs').addEventListener('click', (e) => {
    const tab = e.target.closest('[role=tab]');
    if (tab) selectTab(tab.id.slice(4), true);
  });
  $('tabs').addEventListener('keydown', (e) => {
    const i = tabs.indexOf(currentTab());
    let next = null;
    if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
    else if (e.key === 'ArrowLeft') next = tabs[(i + tabs.length - 1) % tabs.length];
    else if (e.key === 'Home') next = tabs[0];
    else if (e.key === 'End') next = tabs[tabs.length - 1];
    if (next) {
      e.preventDefault();
      selectTab(next, true);
    }
  });

  // ---------------------------------------------------------------- API
  const inflight = {};
  async function api(kind, url, init) {
    if (inflight[kind]) inflight[kind].abort();
    const ctl = new AbortController();
    inflight[kind] = ctl;
    let res;
    try {
      res = await fetch(url, { ...init, signal: ctl.signal, headers: { Accept: 'application/json' } });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new Error('The server could not be reached: ' + err.message);
    } finally {
      if (inflight[kind] === ctl) delete inflight[kind];
    }
    let body = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      let msg = body && body.error ? body.error : `HTTP ${res.status} ${res.statusText}`;
      if (res.status === 503) msg += ' (the server is busy)';
      const e = new Error(msg);
      e.status = res.status;
      throw e;
    }
    if (!body) throw new Error('The server sent an answer that is not JSON.');
    return body;
  }

  function showError(kind, err) {
    const box = $(kind + '-error');
    if (!err) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    box.replaceChildren(h('strong', null, err.status === 400 ? 'Please check the input: ' : 'Error: '), err.message);
    box.hidden = false;
  }

  async function run(kind, url, init, render) {
    const result = $(kind + '-result');
    const button = $(kind + '-submit');
    showError(kind, null);
    result.setAttribute('aria-busy', 'true');
    result.replaceChildren(h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Checking…'));
    button.disabled = true;
    try {
      const data = await api(kind, url, init);
      result.replaceChildren(...render(data));
      announce('Result ready');
      return data;
    } catch (err) {
      if (err.name === 'AbortError') return null;
      result.replaceChildren();
      showError(kind, err);
      return null;
    } finally {
      result.removeAttribute('aria-busy');
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- shared bits
  const resultWords = {
    pass: 'The IP is allowed to send for this domain.',
    fail: 'The domain says this IP may not send its mail: receivers reject or mark it.',
    softfail: 'The domain says this IP is probably not allowed (~all): often delivered to spam.',
    neutral: 'The domain makes no statement about this IP.',
    none: 'The domain publishes no SPF record.',
    permerror: 'The record is broken: receivers treat this as a failure.',
    temperror: 'DNS did not answer: receivers defer or reject the mail.',
  };
  const resultBadge = (r) => h('span', { class: 'badge result-' + r }, r);

  function copyButton(getText, label) {
    const status = h('span', { class: 'copy-status', role: 'status' });
    const btn = h('button', {
      type: 'button',
      class: 'secondary small',
      onclick: async () => {
        const text = getText();
        let ok = false;
        try {
          await navigator.clipboard.writeText(text);
          ok = true;
        } catch {
          const ta = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
          ta.value = text;
          document.body.append(ta);
          ta.select();
          try { ok = document.execCommand('copy'); } catch { ok = false; }
          ta.remove();
        }
        status.textContent = ok ? 'Copied' : 'Select the text and copy it';
        setTimeout(() => { status.textContent = ''; }, 2500);
      },
    }, label || 'Copy');
    return h('span', { class: 'copy' }, btn, status);
  }

  function shareBox(url) {
    const input = h('input', { type: 'text', readonly: true, id: 'share-url', class: 'share-url', value: url });
    input.addEventListener('focus', () => input.select());
    return h('div', { class: 'share' },
      h('label', { for: 'share-url' }, 'Link to this result'),
      h('div', { class: 'share-row' }, input, copyButton(() => url, 'Copy link')));
  }

  function gauge(label, n, limit, id) {
    const over = n > limit;
    const near = !over && (limit >= 5 ? n >= limit - 1 : n === limit);
    const cells = [];
    for (let i = 0; i < limit; i++) cells.push(h('span', { class: 'cell' + (i < n ? ' on' : '') }));
    const note = over ? `${n - limit} over the limit: receivers return permerror`
      : n === limit ? 'at the limit: one more breaks the record'
        : near ? 'one below the limit' : 'within the limit';
    return h('div', { class: 'gauge gauge-' + (over ? 'over' : near ? 'near' : 'ok'), id },
      h('div', { class: 'gauge-head' },
        h('span', { class: 'gauge-label', id: id + '-label' }, label),
        h('span', { class: 'gauge-value', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': limit, 'aria-valuenow': Math.min(n, limit),
          'aria-valuetext': `${n} of ${limit}`, 'aria-labelledby': id + '-label' }, `${n}/${limit}`)),
      h('div', { class: 'cells', 'aria-hidden': 'true' }, cells,
        over ? h('span', { class: 'overflow' }, `+${n - limit}`) : null),
      h('p', { class: 'gauge-note' }, note));
  }

  function recordBlock(text) {
    return h('pre', { class: 'record' }, h('code', null, text));
  }

  function matchPath(path) {
    if (!path || !path.length) return null;
    return h('ol', { class: 'match-path', 'aria-label': 'Where it matched' },
      path.map((p) => h('li', null, h('span', { class: 'mp-domain' }, p.domain), ' ', h('code', null, p.term))));
  }

  function kv(rows) {
    const dl = h('dl', { class: 'kv' });
    for (const [k, v] of rows) {
      if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue;
      dl.append(h('dt', null, k), h('dd', null, v));
    }
    return dl;
  }

  // ---------------------------------------------------------------- lint
  function renderLint(d, ip) {
    const out = [];
    const counts = { error: 0, warning: 0, info: 0 };
    for (const f of d.findings || []) counts[f.severity] = (counts[f.severity] || 0) + 1;
    const verdictText = {
      ok: 'No problems found',
      warnings: `${plural(counts.warning, 'warning')} to look at`,
      errors: `${plural(counts.error, 'error')}: mail from this domain can fail SPF`,
    }[d.verdict] || d.verdict;
    out.push(h('div', { class: 'verdict verdict-' + d.verdict, id: 'lint-verdict' },
      h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, d.verdict === 'ok' ? '✓' : d.verdict === 'warnings' ? '!' : '✕'),
      h('div', null,
        h('h2', null, d.domain, ': ', verdictText),
        d.record_given ? h('p', { class: 'whatif-note' }, 'Checked the what-if record below, not the published one.') : null)));

    // Record(s) and gauges
    const recSec = h('section', { class: 'card', 'aria-labelledby': 'h-record' }, h('h3', { id: 'h-record' }, d.record_given ? 'What-if record' : 'Record'));
    if (d.record) recSec.append(recordBlock(d.record));
    else recSec.append(h('p', { class: 'muted' }, 'No SPF record is published at ', h('code', null, d.domain), '.'));
    if (!d.record_given && d.records && d.records.length > 1) {
      recSec.append(h('p', { class: 'warn-text' }, `${d.records.length} SPF records are published (there must be exactly one):`),
        ...d.records.map(recordBlock));
    }
    recSec.append(h('div', { class: 'gauges' },
      gauge('DNS lookups', d.lookups, d.lookup_limit || 10, 'gauge-lookups'),
      gauge('Void lookups', d.void_lookups, d.void_lookup_limit || 2, 'gauge-void')));
    out.push(recSec);

    // IP check
    if (d.ip_check) out.push(renderIpCheck(d.ip_check, ip));

    // Findings
    out.push(renderFindings(d.findings || []));

    // Tree
    if (d.tree) {
      const tree = h('section', { class: 'card', 'aria-labelledby': 'h-tree' },
        h('div', { class: 'section-head' },
          h('h3', { id: 'h-tree' }, 'Include tree'),
          h('div', { class: 'tree-tools' },
            h('button', { type: 'button', class: 'secondary small', onclick: () => foldAll(true) }, 'Expand all'),
            h('button', { type: 'button', class: 'secondary small', onclick: () => foldAll(false) }, 'Collapse all'))),
        h('p', { class: 'hint' }, 'Each include and redirect, what it costs in lookups and the networks it allows. Enter or Space folds a branch.'),
        h('div', { class: 'tree', id: 'lint-tree' }, treeNode(d.tree, 0)));
      out.push(tree);
    }

    // Providers
    if (d.providers && d.providers.length) {
      out.push(h('section', { class: 'card', 'aria-labelledby': 'h-prov' },
        h('h3', { id: 'h-prov' }, 'Mail providers'),
        h('div', { class: 'table-wrap' }, h('table', null,
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Provider'), h('th', { scope: 'col' }, 'Include it needs'),
            h('th', { scope: 'col' }, 'Found by'), h('th', { scope: 'col' }, 'In your record'))),
          h('tbody', null, d.providers.map((p) => h('tr', null,
            h('td', null, p.provider), h('td', null, h('code', null, 'include:' + p.include)),
            h('td', null, p.detected_by === 'mx' ? 'your MX records' : 'you asked'),
            h('td', null, p.included ? h('span', { class: 'badge ok' }, 'yes') : h('span', { class: 'badge bad' }, 'missing')))))))));
    }

    // Flattening
    if (d.flatten) {
      const f = d.flatten;
      out.push(h('section', { class: 'card', 'aria-labelledby': 'h-flat' },
        h('h3', { id: 'h-flat' }, 'How to get under 10 lookups'),
        h('p', null, 'Replace ', f.flatten.map((t, i) => [i ? ', ' : '', h('code', null, 'include:' + t)]),
          ' by the addresses they publish today; the record then needs ', h('strong', null, String(f.lookups_after)), ' lookups:'),
        recordBlock(f.record), copyButton(() => f.record, 'Copy record'),
        h('p', { class: 'note' }, f.note)));
    }
    return out;
  }

  function renderIpCheck(c, ip) {
    return h('section', { class: 'card ipcheck', 'aria-labelledby': 'h-ip', id: 'lint-ipcheck' },
      h('h3', { id: 'h-ip' }, 'Mail from ', h('code', null, c.ip || ip || 'this IP'), ': SPF ', resultBadge(c.result)),
      h('p', null, resultWords[c.result] || ''),
      kv([
        ['Matched', c.matched ? h('code', null, c.matched) : 'nothing'],
        ['In the record of', c.matched_domain],
        ['Decided by', matchPath(c.match_path)],
        ['Explanation', c.explanation],
        ['Problem', c.problem],
        ['Lookups', `${c.lookups} of 10, void ${c.void_lookups} of 2`],
      ]));
  }

  function renderFindings(findings) {
    const sec = h('section', { class: 'card', 'aria-labelledby': 'h-find', id: 'lint-findings' }, h('h3', { id: 'h-find' }, 'Findings'));
    if (!findings.length) {
      sec.append(h('p', { class: 'muted' }, 'Nothing to fix.'));
      return sec;
    }
    const names = { error: 'Errors', warning: 'Warnings', info: 'Information' };
    for (const sev of ['error', 'warning', 'info']) {
      const list = findings.filter((f) => f.severity === sev);
      if (!list.length) continue;
      sec.append(h('h4', { class: 'sev-head sev-' + sev }, `${names[sev]} (${list.length})`),
        h('ul', { class: 'findings' }, list.map((f) => h('li', { class: 'finding sev-' + sev, 'data-id': f.id },
          h('div', { class: 'finding-head' },
            h('span', { class: 'badge sev-' + sev }, sev), ' ', h('code', { class: 'finding-id' }, f.id),
            f.domain || f.term ? h('span', { class: 'where' }, ' in ', f.domain ? h('span', null, f.domain) : null,
              f.term ? [' ', h('code', null, f.term)] : null) : null),
          h('p', { class: 'message' }, f.message),
          f.fix ? h('p', { class: 'fix' }, h('strong', null, 'Fix: '), f.fix) : null))));
    }
    return sec;
  }

  function treeNode(n, depth) {
    const kids = n.children || [];
    const det = h('details', { class: 'node' + (n.problem ? ' has-problem' : ''), 'data-domain': n.domain });
    // Open the top, every branch with branches below it, and every problem; leaves start folded.
    if (depth === 0 || (kids.length && depth < 4) || n.problem) det.open = true;
    const nets = [...(n.ip4 || []), ...(n.ip6 || [])];
    const summary = h('summary', null,
      h('span', { class: 'node-domain' }, n.domain),
      n.via !== 'top' ? h('span', { class: 'via via-' + n.via }, n.via) : null,
      h('span', { class: 'node-lookups', title: 'lookups this branch costs' }, plural(n.lookups, 'lookup')),
      kids.length ? h('span', { class: 'node-kids' }, plural(kids.length, 'branch', 'branches')) : null,
      nets.length ? h('span', { class: 'node-kids' }, plural(nets.length, 'network')) : null,
      n.problem ? h('span', { class: 'badge bad' }, n.problem) : null,
      n.depends_on_sender ? h('span', { class: 'badge info' }, 'depends on sender') : null);
    det.append(summary);
    const body = h('div', { class: 'node-body' });
    if (n.term && n.via !== 'top') body.append(h('p', { class: 'node-term' }, 'from ', h('code', null, n.term)));
    if (n.record) body.append(recordBlock(n.record));
    else if (!n.problem) body.append(h('p', { class: 'muted' }, 'no record'));
    if (n.records && n.records.length > 1) body.append(h('p', { class: 'warn-text' }, `${n.records.length} SPF records at this name`));
    body.append(kv([
      ['Own lookups', n.own_lookups !== undefined ? `${n.own_lookups}, void ${n.void_lookups || 0}` : null],
      ['Networks', nets.length ? h('ul', { class: 'nets' }, nets.slice(0, 200).map((x) => h('li', null, h('code', null, x))),
        nets.length > 200 ? h('li', null, `… ${nets.length - 200} more`) : null) : null],
      ['MX hosts', n.mx_hosts && n.mx_hosts.length ? n.mx_hosts.join(', ') : null],
    ]));
    det.append(body);
    if (kids.length) det.append(h('div', { class: 'children' }, kids.map((k) => treeNode(k, depth + 1))));
    return det;
  }

  function foldAll(open) {
    for (const d of document.querySelectorAll('#lint-tree details')) d.open = open;
  }

  // ---------------------------------------------------------------- eval
  function renderEval(d) {
    const out = [];
    out.push(h('div', { class: 'verdict verdict-result-' + d.result, id: 'eval-verdict' },
      h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, d.result === 'pass' ? '✓' : d.result === 'fail' || d.result.endsWith('error') ? '✕' : '?'),
      h('div', null,
        h('h2', null, 'SPF ', resultBadge(d.result), ' for ', d.domain || '(no domain)'),
        h('p', null, resultWords[d.result] || ''))));
    out.push(h('section', { class: 'card', 'aria-labelledby': 'h-eval' },
      h('h3', { id: 'h-eval' }, 'Details'),
      kv([
        ['IP', d.ip ? h('code', null, d.ip) : null],
        ['Identity', `${d.identity}${d.sender ? ' (sender ' + d.sender + ')' : ''}${d.helo ? ', HELO ' + d.helo : ''}`],
        ['Record', d.record ? h('code', { class: 'wrap-code' }, d.record) : 'none'],
        ['Matched', d.matched ? h('code', null, d.matched) : 'nothing'],
        ['In the record of', d.matched_domain],
        ['Decided by', matchPath(d.match_path)],
        ['Explanation', d.explanation],
        ['Problem', d.problem],
        ['Lookups', `${d.lookups} of 10, void ${d.void_lookups} of 2`],
      ])));
    if (d.trace && d.trace.length) {
      out.push(h('section', { class: 'card', 'aria-labelledby': 'h-trace' },
        h('h3', { id: 'h-trace' }, 'Trace'),
        h('ol', { class: 'trace', id: 'eval-trace' }, d.trace.map((t) => h('li', { class: `kind-${t.kind} depth-${Math.min(t.depth, 8)}` },
          h('span', { class: 'trace-kind' }, t.kind), h('span', { class: 'trace-text' }, t.text))))));
    }
    return out;
  }

  // ---------------------------------------------------------------- bounce
  function renderBounce(d) {
    const out = [];
    const dg = d.diagnosis || {};
    out.push(h('div', { class: 'verdict verdict-bounce', id: 'bounce-verdict' },
      h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, '✉'),
      h('div', null, h('h2', null, 'Diagnosis'), h('p', { class: 'summary' }, dg.summary || 'No diagnosis could be made.'))));

    const rcpts = d.recipients || [];
    out.push(h('section', { class: 'card', 'aria-labelledby': 'h-rcpt' },
      h('h3', { id: 'h-rcpt' }, 'Recipients that bounced'),
      rcpts.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'bounce-recipients', class: 'recipients' },
        h('thead', null, h('tr', null, ['Recipient', 'Status', 'Reply', 'Reason', 'Remote server'].map((t) => h('th', { scope: 'col' }, t)))),
        rcpts.map((r) => h('tbody', null,
          h('tr', null,
            h('td', { class: 'rcpt', 'data-label': 'Recipient' }, r.recipient || '—'),
            h('td', { 'data-label': 'Status' }, r.status ? h('code', null, r.status) : '—',
              r.status_meaning ? h('div', { class: 'small muted' }, r.status_meaning) : null),
            h('td', { 'data-label': 'Reply' }, r.reply_code || '—'),
            h('td', { 'data-label': 'Reason' }, r.reason ? h('span', { class: 'badge reason' }, r.reason) : '—'),
            h('td', { 'data-label': 'Remote server' }, r.remote_mta || '—')),
          r.diagnostic ? h('tr', { class: 'diag-row' },
            h('td', { colspan: 5 }, h('span', { class: 'diag-label' }, 'The server said'),
              h('pre', { class: 'diag' }, r.diagnostic))) : null)))) : h('p', { class: 'muted' }, 'No failed recipients were found in this message.'),
      kv([['Reporting server', d.reporting_mta], ['Generated by', d.generating_server], ['Mail system', d.system], ['Feedback type', d.feedback_type]])));

    const o = d.original || {};
    out.push(h('section', { class: 'card', 'aria-labelledby': 'h-orig' },
      h('h3', { id: 'h-orig' }, 'The message that bounced'),
      kv([
        ['Sending IP', o.sending_ip ? [h('code', null, o.sending_ip), o.sending_ip_source ? h('span', { class: 'muted' }, ` (from ${o.sending_ip_source})`) : null] : 'not found in the bounce'],
        ['Envelope from', o.envelope_from],
        ['From', o.from],
        ['To', o.to],
        ['Subject', o.subject],
        ['Date', o.date],
        ['Message-ID', o.message_id ? h('code', null, o.message_id) : null],
        ['Envelope domain', dg.envelope_domain],
      ]),
      o.received && o.received.length ? h('details', { class: 'received' }, h('summary', null, `Received chain (${o.received.length})`),
        h('ol', null, o.received.map((r) => h('li', null,
          `from ${r.from_host || '?'}${r.from_ip ? ' [' + r.from_ip + ']' : ''} by ${r.by_host || '?'}${r.with ? ' with ' + r.with : ''}${r.date ? '; ' + r.date : ''}`)))) : null));

    const causes = dg.causes || [];
    if (causes.length) {
      out.push(h('section', { class: 'card', 'aria-labelledby': 'h-causes', id: 'bounce-causes' },
        h('h3', { id: 'h-causes' }, 'Likely causes'),
        h('ol', { class: 'causes' }, causes.map((c) => h('li', { class: 'cause', 'data-id': c.id },
          h('div', { class: 'finding-head' }, h('code', { class: 'finding-id' }, c.id),
            c.confidence ? h('span', { class: 'badge conf-' + c.confidence }, c.confidence) : null),
          h('p', { class: 'message' }, c.summary),
          c.evidence && c.evidence.length ? h('div', null, h('strong', null, 'Evidence'), h('ul', { class: 'evidence' }, c.evidence.map((e) => h('li', null, e)))) : null,
          c.how_to_confirm ? h('p', null, h('strong', null, 'How to confirm: '), c.how_to_confirm) : null,
          c.fix ? h('p', { class: 'fix' }, h('strong', null, 'Fix: '), c.fix) : null)))));
    }
    if (dg.steps && dg.steps.length) {
      out.push(h('section', { class: 'card', 'aria-labelledby': 'h-steps' },
        h('h3', { id: 'h-steps' }, 'What to do, in order'),
        h('ol', { class: 'steps' }, dg.steps.map((s) => h('li', null, s)))));
    }
    if (dg.spf) {
      const s = dg.spf;
      out.push(h('section', { class: 'card', 'aria-labelledby': 'h-spf' },
        h('h3', { id: 'h-spf' }, 'SPF checked now ', resultBadge(s.result)),
        kv([['Domain', s.domain], ['Record', s.record ? h('code', { class: 'wrap-code' }, s.record) : 'none'],
          ['Matched', s.matched ? h('code', null, s.matched) : 'nothing'], ['Problem', s.problem], ['Explanation', s.explanation]])));
    }
    if (dg.for_remote_admin) {
      out.push(h('section', { class: 'card', 'aria-labelledby': 'h-admin', id: 'bounce-admin' },
        h('div', { class: 'section-head' }, h('h3', { id: 'h-admin' }, 'Text for the receiving server\'s admin'),
          copyButton(() => dg.for_remote_admin, 'Copy text')),
        h('pre', { class: 'letter', id: 'bounce-admin-text', tabindex: 0 }, dg.for_remote_admin)));
    }
    if (d.notes && d.notes.length) {
      out.push(h('section', { class: 'card' }, h('h3', null, 'Notes'), h('ul', null, d.notes.map((n) => h('li', null, n)))));
    }
    return out;
  }

  // ---------------------------------------------------------------- URLs and forms
  function setUrl(params) {
    const qs = params.toString();
    const url = location.pathname + (qs ? '?' + qs : '');
    if (url !== location.pathname + location.search) history.pushState(null, '', url);
    return location.origin + url;
  }

  async function runLint(push) {
    const domain = $('lint-domain').value.trim();
    if (!domain) {
      showError('lint', new Error('Enter a domain name, like example.com.'));
      $('lint-domain').focus();
      return;
    }
    const p = new URLSearchParams({ domain });
    const record = $('lint-record').value.trim();
    const ip = $('lint-ip').value.trim();
    const sender = $('lint-sender').value.trim();
    if (record) p.set('record', record);
    if (ip) p.set('ip', ip);
    if (sender && ip) p.set('sender', sender);
    const share = push ? setUrl(p) : location.href;
    const data = await run('lint', '/api/v1/lint?' + p, undefined, (d) => renderLint(d, ip));
    if (data) $('lint-result').append(shareBox(share));
  }

  async function runEval(push) {
    const ip = $('eval-ip').value.trim();
    const sender = $('eval-sender').value.trim();
    const helo = $('eval-helo').value.trim();
    if (!ip) {
      showError('eval', new Error('Enter the IP address the mail came from.'));
      $('eval-ip').focus();
      return;
    }
    if (!sender && !helo) {
      showError('eval', new Error('Enter the envelope sender (or, for the null sender, the HELO name).'));
      $('eval-sender').focus();
      return;
    }
    const p = new URLSearchParams({ eval: '1', ip });
    if (sender) p.set('sender', sender);
    if (helo) p.set('helo', helo);
    const share = push ? setUrl(p) : location.href;
    const api = new URLSearchParams({ ip, sender, helo });
    const data = await run('eval', '/api/v1/eval?' + api, undefined, renderEval);
    if (data) $('eval-result').append(shareBox(share));
  }

  const MAX_BOUNCE = 10 * 1024 * 1024;
  let bounceFile = null;
  async function runBounce() {
    const body = bounceFile || $('bounce-text').value;
    const size = bounceFile ? bounceFile.size : new Blob([body]).size;
    if (!size) {
      showError('bounce', new Error('Paste the bounce message, or choose its file.'));
      $('bounce-text').focus();
      return;
    }
    if (size > MAX_BOUNCE) {
      showError('bounce', new Error('The message is larger than 10 MiB; remove the attachments and try again.'));
      return;
    }
    if (location.search && location.search !== '?tab=bounce') setUrl(new URLSearchParams({ tab: 'bounce' }));
    await run('bounce', '/api/v1/bounce', { method: 'POST', body }, renderBounce);
  }

  $('lint-form').addEventListener('submit', (e) => { e.preventDefault(); runLint(true); });
  $('eval-form').addEventListener('submit', (e) => { e.preventDefault(); runEval(true); });
  $('bounce-form').addEventListener('submit', (e) => { e.preventDefault(); runBounce(); });
  $('bounce-text').addEventListener('input', () => { bounceFile = null; $('bounce-file').value = ''; });
  $('bounce-file').addEventListener('change', async () => {
    const f = $('bounce-file').files[0];
    if (!f) return;
    bounceFile = f;
    if (f.size <= MAX_BOUNCE) $('bounce-text').value = await f.text();
    runBounce();
  });
  $('bounce-clear').addEventListener('click', () => {
    bounceFile = null;
    $('bounce-file').value = '';
    $('bounce-text').value = '';
    $('bounce-result').replaceChildren();
    showError('bounce', null);
    $('bounce-text').focus();
  });
  // Dropping a file on the text area reads it too.
  $('bounce-text').addEventListener('dragover', (e) => { e.preventDefault(); });
  $('bounce-text').addEventListener('drop', async (e) => {
    const f = e.dataTransfer && e.dataTransfer.files[0];
    if (!f) return;
    e.preventDefault();
    bounceFile = f;
    if (f.size <= MAX_BOUNCE) $('bounce-text').value = await f.text();
    runBounce();
  });

  // Loads the state in the query string and runs the check it names.
  function fromUrl() {
    const q = new URLSearchParams(location.search);
    if (q.get('eval') === '1' || (q.has('ip') && !q.has('domain') && q.has('sender'))) {
      selectTab('eval');
      $('eval-ip').value = q.get('ip') || '';
      $('eval-sender').value = q.get('sender') || '';
      $('eval-helo').value = q.get('helo') || '';
      if (q.get('ip')) runEval(false);
    } else if (q.has('domain')) {
      selectTab('lint');
      $('lint-domain').value = q.get('domain') || '';
      $('lint-record').value = q.get('record') || '';
      $('lint-ip').value = q.get('ip') || '';
      $('lint-sender').value = q.get('sender') || '';
      if (q.get('record')) $('lint-whatif').open = true;
      runLint(false);
    } else if (q.get('tab') === 'bounce' || q.get('tab') === 'eval') {
      selectTab(q.get('tab'));
    } else {
      selectTab('lint');
    }
  }
  window.addEventListener('popstate', fromUrl);
  fromUrl();
})();
