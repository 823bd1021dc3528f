// Live trace page of the Web PubSub emulator: helpers and signing in.
// Plain JavaScript, no build step, no third-party code. Every value from the
// emulator is rendered with textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function setStatus(text, cls) {
  const s = $('status');
  s.textContent = text;
  s.className = 'status ' + (cls || '');
}

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
  for (const part of s.replace(/^["']|["']$/g, '').split(';')) {
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

// takeSignInCode returns the one-time code of a sign-in link
// (".../#code=...") and removes it from the address bar at once, so that it
// is neither bookmarked nor shared nor kept in the history.
function takeSignInCode() {
  const m = /^#code=([A-Za-z0-9_-]{1,128})$/.exec(location.hash);
  if (!location.hash) return '';
  history.replaceState(null, '', location.pathname + location.search);
  return m ? m[1] : '';
}

// redeemCode trades a sign-in link's code for the session cookie.
async function redeemCode(code) {
  const r = await fetch('/trace/signin', { method: 'POST', credentials: 'same-origin', body: code });
  if (!r.ok) throw new Error((await r.text()).trim() || ('sign-in failed: ' + r.status));
}

// session returns the page's features when signed in, else null.
async function session() {
  const r = await fetch('/trace/session', { credentials: 'same-origin' });
  return r.ok ? r.json() : null;
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
    start(await session());
  } catch (err) {
    $('signin-error').textContent = err.message;
  }
});

$('signout').addEventListener('click', async () => {
  if (state.source) state.source.close();
  closeTestClient();
  await fetch('/trace/session', { method: 'DELETE', credentials: 'same-origin' });
  showSignIn('');
});
