// Live trace page of the Web PubSub emulator. Plain JavaScript, no build
// step, no third-party code. Every value from the stream is rendered with
// textContent, never as HTML.
'use strict';

const MAX_EVENTS = 5000; // events kept by the page (older ones are forgotten)
const MAX_ROWS = 2000;   // event rows shown at once

const $ = (id) => document.getElementById(id);
const state = {
  events: [],          // recorded events, oldest first (at most MAX_EVENTS)
  conns: new Map(),    // "hub/connectionId" -> connection row
  hubs: new Set(),
  paused: false,
  held: 0,             // events that arrived while paused
  missed: 0,           // updates the server dropped for this page
  source: null,
};

// ---- sign in -------------------------------------------------------------

const enc = new TextEncoder();
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// signToken signs a short-lived HS256 token for this page with the access
// key, as the service's SDKs sign REST tokens (the key's UTF-8 bytes are the
// HMAC key).
async function signToken(accessKey, audience) {
  if (!window.crypto || !crypto.subtle) {
    throw new Error('this page cannot sign tokens here (not a secure context): open it at http://127.0.0.1 or http://localhost, or paste a token');
  }
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(enc.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = b64url(enc.encode(JSON.stringify({ aud: audience, iat: now, exp: now + 300 })));
  const key = await crypto.subtle.importKey('raw', enc.encode(accessKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await crypto.subtle.sign('HMAC', key, enc.encode(header + '.' + payload));
  return header + '.' + payload + '.' + b64url(sig);
}

// parseConnectionString returns the fields of "Endpoint=...;AccessKey=...;".
function parseConnectionString(s) {
  const out = {};
  for (const part of s.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return out;
}

async function signIn(credential) {
  credential = credential.trim();
  let token = credential;
  if (!/^eyJ/.test(credential)) {
    const cs = parseConnectionString(credential);
    if (!cs.accesskey) {
      throw new Error('that is neither a connection string with AccessKey=… nor a token');
    }
    token = await signToken(cs.accesskey, location.origin + '/trace');
  }
  const r = await fetch('/trace/session', {
    method: 'POST', credentials: 'same-origin', headers: { Authorization: 'Bearer ' + token },
  });
  if (!r.ok) throw new Error((await r.text()).trim() || ('sign-in failed: ' + r.status));
}

async function signedIn() {
  const r = await fetch('/trace/session', { credentials: 'same-origin' });
  return r.ok;
}

function showSignIn(message) {
  $('app').hidden = true;
  $('signout').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  setStatus('signed out', 'down');
  $('credential').focus();
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('signin-error').textContent = '';
  try {
    await signIn($('credential').value);
    $('credential').value = '';
    connect();
  } catch (err) {
    $('signin-error').textContent = err.message;
  }
});

$('signout').addEventListener('click', async () => {
  if (state.source) state.source.close();
  await fetch('/trace/session', { method: 'DELETE', credentials: 'same-origin' });
  showSignIn('');
});

// ---- stream --------------------------------------------------------------

function setStatus(text, cls) {
  const s = $('status');
  s.textContent = text;
  s.className = 'status ' + (cls || '');
}

function connect() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  if (state.source) state.source.close();
  const src = new EventSource('/trace/stream');
  state.source = src;
  src.addEventListener('open', () => updateStatus());
  src.addEventListener('snapshot', (m) => {
    const snap = JSON.parse(m.data);
    state.events = snap.events || [];
    state.conns.clear();
    for (const c of snap.connections || []) state.conns.set(key(c), c);
    for (const h of snap.hubs || []) state.hubs.add(h);
    renderAll();
  });
  src.addEventListener('update', (m) => onUpdate(JSON.parse(m.data)));
  src.addEventListener('missed', (m) => {
    state.missed = JSON.parse(m.data).dropped;
    updateStatus();
  });
  src.addEventListener('connections', (m) => {
    state.conns.clear();
    for (const c of JSON.parse(m.data) || []) state.conns.set(key(c), c);
    renderConnections();
  });
  src.addEventListener('error', async () => {
    if (src.readyState === EventSource.CLOSED) {
      if (!(await signedIn())) { showSignIn('the session ended: sign in again'); return; }
      setTimeout(connect, 1000);
    }
    setStatus('reconnecting…', 'down');
  });
}

const key = (c) => c.hub + '/' + c.connectionId;

function onUpdate(u) {
  const ev = u.event;
  if (ev.hub && !state.hubs.has(ev.hub)) { state.hubs.add(ev.hub); renderHubs(); }
  if (u.connection) {
    state.conns.set(key(u.connection), u.connection);
    renderConnections();
  } else if (ev.kind === 'reset') {
    for (const c of state.conns.values()) {
      if (c.state !== 'gone' && (!ev.hub || c.hub === ev.hub)) { c.state = 'gone'; c.reason = 'the emulator was reset'; }
    }
    renderConnections();
  }
  state.events.push(ev);
  if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  if (state.paused) { state.held++; updateStatus(); return; }
  if (matches(ev)) appendRow(ev, true);
  updateStatus();
}

// ---- filters -------------------------------------------------------------

const filters = () => ({
  hub: $('f-hub').value,
  group: $('f-group').value.trim(),
  user: $('f-user').value.trim(),
  conn: $('f-conn').value.trim(),
});

function connOf(ev) {
  return ev.connectionId ? state.conns.get(ev.hub + '/' + ev.connectionId) : undefined;
}

function matches(ev) {
  const f = filters();
  if (f.hub && ev.hub !== f.hub) return false;
  if (f.group) {
    const c = connOf(ev);
    const ok = ev.group === f.group || (ev.groups || []).includes(f.group) ||
      ev.target === 'group ' + f.group || (c && (c.groups || []).includes(f.group));
    if (!ok) return false;
  }
  if (f.user) {
    const c = connOf(ev);
    const ok = ev.userId === f.user || ev.target === 'user ' + f.user || (c && c.userId === f.user);
    if (!ok) return false;
  }
  if (f.conn) {
    const ok = ev.connectionId === f.conn || ev.target === 'connection ' + f.conn ||
      (ev.recipients || []).includes(f.conn);
    if (!ok) return false;
  }
  return true;
}

function connMatches(c) {
  const f = filters();
  if (f.hub && c.hub !== f.hub) return false;
  if (f.group && !(c.groups || []).includes(f.group)) return false;
  if (f.user && c.userId !== f.user) return false;
  if (f.conn && c.connectionId !== f.conn) return false;
  return true;
}

for (const id of ['f-hub', 'f-group', 'f-user', 'f-conn']) {
  $(id).addEventListener('input', () => { renderEvents(); renderConnections(); renderHubs(); });
}

$('pause').addEventListener('click', () => {
  state.paused = !state.paused;
  $('pause').textContent = state.paused ? 'Resume' : 'Pause';
  $('pause').classList.toggle('on', state.paused);
  if (!state.paused) { state.held = 0; renderEvents(); }
  updateStatus();
});

$('clear').addEventListener('click', () => {
  state.events = [];
  state.held = 0;
  renderEvents();
  updateStatus();
});

// ---- rendering -----------------------------------------------------------

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function updateStatus() {
  const shown = $('events').tBodies[0].rows.length;
  let counts = shown + ' shown · ' + state.events.length + ' kept';
  if (state.missed) counts += ' · ' + state.missed + ' missed (page too slow)';
  $('counts').textContent = counts;
  if (state.paused) setStatus('paused · ' + state.held + ' new', 'paused');
  else if (state.source && state.source.readyState === EventSource.OPEN) setStatus('live', 'live');
}

function renderAll() { renderHubs(); renderConnections(); renderEvents(); }

function renderHubs() {
  const sel = $('f-hub');
  const current = sel.value;
  const hubs = [...state.hubs].sort();
  if (sel.options.length !== hubs.length + 1) {
    sel.replaceChildren(el('option', '', 'all hubs'));
    sel.options[0].value = '';
    for (const h of hubs) { const o = el('option', '', h); o.value = h; sel.append(o); }
    sel.value = current;
  }
  const list = $('hubs');
  list.replaceChildren();
  for (const h of hubs) {
    let live = 0;
    for (const c of state.conns.values()) if (c.hub === h && c.state !== 'gone') live++;
    const li = el('li', h === current ? 'selected' : '', h + ' (' + live + ')');
    li.dataset.hub = h;
    li.addEventListener('click', () => {
      sel.value = sel.value === h ? '' : h;
      renderAll();
    });
    list.append(li);
  }
}

function renderConnections() {
  const body = $('connections').tBodies[0];
  const rows = [...state.conns.values()].filter(connMatches).sort((a, b) => {
    const ga = a.state === 'gone', gb = b.state === 'gone';
    if (ga !== gb) return ga ? 1 : -1;
    return (a.hub + a.connectionId).localeCompare(b.hub + b.connectionId);
  });
  body.replaceChildren();
  for (const c of rows) {
    const tr = el('tr', c.state === 'gone' ? 'gone' : '');
    tr.dataset.id = c.connectionId;
    tr.dataset.hub = c.hub;
    tr.title = c.hub + (c.reason ? ' · ' + c.reason : '');
    const sp = el('td', 'subprotocol', shortSubprotocol(c.subprotocol));
    sp.title = c.subprotocol || 'simple WebSocket (no subprotocol)';
    sp.dataset.subprotocol = c.subprotocol || '';
    tr.append(el('td', 'id', c.connectionId), el('td', 'user', c.userId || '—'), sp);
    const groups = el('td', 'groups');
    for (const g of c.groups || []) groups.append(el('span', 'group', g));
    tr.append(groups, el('td', 'state state-' + c.state, c.state));
    tr.addEventListener('click', () => {
      $('f-conn').value = $('f-conn').value === c.connectionId ? '' : c.connectionId;
      renderEvents(); renderConnections();
    });
    body.append(tr);
  }
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', 'empty', 'no connections yet');
    td.colSpan = 5;
    tr.append(td);
    body.append(tr);
  }
  renderHubsCounts();
}

// shortSubprotocol drops the common ".webpubsub.azure.v1" suffix.
function shortSubprotocol(p) {
  if (!p) return 'simple';
  return p.replace(/\.webpubsub\.azure\.v1$/, '');
}

function renderHubsCounts() {
  for (const li of $('hubs').children) {
    let live = 0;
    for (const c of state.conns.values()) if (c.hub === li.dataset.hub && c.state !== 'gone') live++;
    li.textContent = li.dataset.hub + ' (' + live + ')';
  }
}

function renderEvents() {
  const body = $('events').tBodies[0];
  body.replaceChildren();
  const shown = state.events.filter(matches).slice(-MAX_ROWS);
  for (const ev of shown) appendRow(ev, false);
  scrollToEnd();
  updateStatus();
}

function appendRow(ev, live) {
  const body = $('events').tBodies[0];
  const box = $('events-box');
  const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
  const tr = el('tr', isBad(ev) ? 'bad' : '');
  tr.dataset.kind = ev.kind;
  tr.dataset.seq = ev.seq;
  const t = new Date(ev.time);
  tr.append(
    el('td', '', t.toLocaleTimeString([], { hour12: false }) + '.' + String(t.getMilliseconds()).padStart(3, '0')),
    el('td', 'kind k-' + ev.kind, ev.kind),
    el('td', '', ev.hub || ''),
    el('td', 'conn', ev.connectionId || ''),
  );
  tr.append(details(ev));
  body.append(tr);
  while (body.rows.length > MAX_ROWS) body.deleteRow(0);
  if (live && atEnd) scrollToEnd();
}

function scrollToEnd() { const box = $('events-box'); box.scrollTop = box.scrollHeight; }

function isBad(ev) {
  return ev.kind === 'refused' || ev.kind === 'ack' || ev.status >= 400 ||
    (ev.kind === 'upstream' && (ev.reason || ev.status >= 300));
}

const ms = (d) => (d === undefined ? '' : ' (' + (d < 10 ? d.toFixed(1) : Math.round(d)) + ' ms)');
const size = (ev) => (ev.size || 0) + ' B' + (ev.contentType ? ' ' + ev.contentType : '');

function details(ev) {
  const td = el('td', 'details');
  const text = (s) => td.append(document.createTextNode(s));
  const preview = () => {
    if (ev.preview) { text(' '); td.append(el('span', 'preview', ev.preview)); }
  };
  switch (ev.kind) {
    case 'connected':
      text((ev.userId ? 'user ' + ev.userId : 'anonymous') + ' · ' + (ev.subprotocol || 'simple WebSocket'));
      if (ev.groups && ev.groups.length) text(' · groups ' + ev.groups.join(', '));
      break;
    case 'refused': text((ev.status ? ev.status + ': ' : '') + (ev.reason || '')); break;
    case 'dropped': text('transport lost; waiting for the client to recover'); break;
    case 'recovered': text('recovered on a new transport'); break;
    case 'disconnected': text(ev.reason || ''); break;
    case 'joined': text('joined ' + ev.group); break;
    case 'left': text('left ' + ev.group); break;
    case 'rest': text(ev.method + ' ' + ev.path + ' → ' + ev.status + ms(ev.durationMs)); break;
    case 'message':
      text('from ' + ev.source + (ev.source === 'connection' && ev.userId ? ' (' + ev.userId + ')' : '') +
        ' to ' + ev.target + ' → ' + ev.recipientCount + ' recipient' + (ev.recipientCount === 1 ? '' : 's') +
        ' · ' + size(ev) + (ev.stream ? ' · stream ' + ev.stream : ''));
      preview();
      break;
    case 'event': text('user event ' + ev.event + ' · ' + size(ev)); preview(); break;
    case 'upstream':
      text((ev.event ? ev.event + ' ' : '') + ev.method + ' ' + ev.path + ' → ' +
        (ev.status ? ev.status : 'failed: ' + (ev.reason || '')) + ms(ev.durationMs));
      break;
    case 'ack':
      text((ev.invocationId ? 'invocation ' + ev.invocationId : 'ack ' + (ev.ackId === undefined ? '' : ev.ackId)) +
        ' failed: ' + (ev.reason || ''));
      break;
    case 'reset': text('every connection was forgotten'); break;
    default: text(JSON.stringify(ev));
  }
  return td;
}

// ---- start ---------------------------------------------------------------

(async () => {
  try {
    if (await signedIn()) connect(); else showSignIn('');
  } catch (err) {
    showSignIn(err.message);
  }
})();
