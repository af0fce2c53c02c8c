// The LEANN web page: a client of the JSON API of `leann serve` on the same origin.
//
// Server text (passages, metadata, answers, error messages) only ever reaches the page through
// textContent or as option values, never as markup; the server's Content-Security-Policy allows no
// inline script either. The API key lives in sessionStorage (gone when the tab closes) and is sent
// as `Authorization: Bearer <key>` on API calls only.
'use strict';

const KEY_STORAGE = 'leann.apiKey';
const INDEX_STORAGE = 'leann.index';
/** LEANN's metadata filter operators (shard-node FilterOperator). */
const FILTER_OPERATORS = ['==', '!=', '<', '<=', '>', '>=', 'in', 'not_in', 'contains', 'starts_with',
  'ends_with', 'is_true', 'is_false'];

const $ = (id) => document.getElementById(id);

/** An API call that failed: the HTTP status (0 when the server was not reached) and its JSON error. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || '';
}

/** fetch() of an API path with the key and JSON body; resolves to the Response when it is 2xx. */
async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: body === undefined ? 'application/json' : 'application/json, text/event-stream' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const key = apiKey();
  if (key) headers.Authorization = 'Bearer ' + key;
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'the server cannot be reached (' + e.message + ')');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function apiJson(path, options) {
  return (await api(path, options)).json();
}

/** The API's JSON error {"error": {"code", "message"}}, or the status line when the body is not one. */
async function errorOf(response) {
  let code = '';
  let message = '';
  try {
    const body = await response.json();
    code = String(body?.error?.code ?? '');
    message = String(body?.error?.message ?? '');
  } catch {
    // not JSON: a proxy's page, say; the status says enough
  }
  return new ApiError(response.status, code || 'http_' + response.status, message || response.statusText);
}

/** A sentence for the user; 401 and 403 say what to do about the key. */
function describe(error) {
  if (!(error instanceof ApiError)) return 'Error: ' + error.message;
  if (error.status === 0) return 'Error: ' + error.message;
  let text = error.status + ' ' + error.code + ': ' + error.message;
  if (error.status === 401) {
    text += apiKey() ? ' — the API key was not accepted; enter another above.'
      : ' — this server needs an API key: enter it above.';
  } else if (error.status === 403) {
    text += ' — the API key\'s scope does not allow this.';
  }
  return text;
}

function showError(element, error) {
  element.textContent = typeof error === 'string' ? error : describe(error);
  element.hidden = false;
}

function clearError(element) {
  element.textContent = '';
  element.hidden = true;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function indexPath(suffix = '') {
  return '/indexes/' + encodeURIComponent($('index-select').value) + suffix;
}

// ---------------------------------------------------------------- API key

function showKeyState() {
  $('key-state').textContent = apiKey() ? 'key set for this tab' : 'no key';
}

function setUpKey() {
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $('api-key').value.trim();
    if (key) sessionStorage.setItem(KEY_STORAGE, key); else sessionStorage.removeItem(KEY_STORAGE);
    $('api-key').value = '';
    showKeyState();
    refreshAll();
  });
  $('key-clear').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    $('api-key').value = '';
    showKeyState();
    refreshAll();
  });
  showKeyState();
}

// ---------------------------------------------------------------- indexes

const INFO_FIELDS = [
  ['passages', 'Passages'], ['model', 'Model'], ['dimensions', 'Dimensions'], ['metric', 'Metric'],
  ['shards', 'Shards'], ['compact', 'Compact'], ['recompute', 'Recompute'], ['status', 'Status'],
];

/** Scores are similarities (higher is better) except for L2 distances (lower is better). */
let lowerScoreIsBetter = false;

function showIndexInfo(info) {
  const list = $('index-info');
  list.replaceChildren();
  if (!info) return;
  for (const [field, label] of INFO_FIELDS) {
    list.append(el('dt', null, label), el('dd', null, info[field] ?? '—'));
  }
  lowerScoreIsBetter = /l2/i.test(String(info.metric ?? ''));
}

async function loadIndexes() {
  const select = $('index-select');
  clearError($('index-error'));
  try {
    const { indexes } = await apiJson('/indexes');
    const wanted = select.value || sessionStorage.getItem(INDEX_STORAGE);
    select.replaceChildren();
    for (const info of indexes) {
      const option = el('option', null, info.name);
      option.value = info.name;
      select.append(option);
    }
    if (indexes.length === 0) {
      showError($('index-error'), 'No index yet: build one with `leann build <name> --docs <paths>`.');
      showIndexInfo(null);
      return;
    }
    if (indexes.some((i) => i.name === wanted)) select.value = wanted;
    showIndexInfo(indexes.find((i) => i.name === select.value));
  } catch (e) {
    select.replaceChildren();
    showIndexInfo(null);
    showError($('index-error'), e);
  }
}

async function indexChanged() {
  sessionStorage.setItem(INDEX_STORAGE, $('index-select').value);
  clearError($('index-error'));
  try {
    showIndexInfo(await apiJson(indexPath()));
  } catch (e) {
    showError($('index-error'), e);
  }
}

// ---------------------------------------------------------------- results and sources

/** Where a passage comes from: the path relative to the indexed folders first, an absolute one last. */
function sourceOf(metadata, fallback) {
  for (const key of ['relative_path', 'file_name', 'source', 'file_path']) {
    const v = metadata?.[key];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v);
  }
  return fallback;
}

function rangeOf(metadata) {
  const span = (word, a, b) => (b === undefined || b === null || b === a ? `${word} ${a}` : `${word}s ${a}–${b}`);
  if (metadata?.start_line !== undefined && metadata?.start_line !== null) {
    return span('line', metadata.start_line, metadata.end_line);
  }
  if (metadata?.page !== undefined && metadata?.page !== null) return span('page', metadata.page, metadata.page_end);
  return '';
}

/** One passage as a list item: source, range, score, text and its metadata on demand. */
function passageItem(passage) {
  const metadata = passage.metadata || {};
  const item = el('li', 'hit');
  const head = el('div', 'hit-head');
  head.append(el('span', 'source', sourceOf(metadata, passage.source || 'passage ' + passage.id)));
  const range = rangeOf({ start_line: passage.start_line, end_line: passage.end_line, ...metadata });
  if (range) head.append(el('span', 'range', range));
  const score = Number(passage.score);
  const scoreText = Number.isFinite(score) ? score.toFixed(3) : String(passage.score);
  head.append(el('span', 'score', (lowerScoreIsBetter ? 'distance ' : 'score ') + scoreText));
  item.append(head, el('p', 'text', passage.text));
  if (Object.keys(metadata).length > 0) {
    const details = el('details', 'metadata');
    details.append(el('summary', null, 'metadata'), el('pre', null, JSON.stringify(metadata, null, 2)));
    item.append(details);
  }
  return item;
}

// ---------------------------------------------------------------- search

/**
 * The filter textarea as LEANN's {"field": {"operator": value}} object, null when empty.
 * Throws an Error whose message says what is wrong and where.
 */
function parseFilters(text) {
  if (text.trim() === '') return null;
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error('The filters are not valid JSON: ' + e.message);
  }
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(value)) throw new Error('The filters must be a JSON object: {"field": {"operator": value}}.');
  for (const [field, ops] of Object.entries(value)) {
    if (!isObject(ops) || Object.keys(ops).length === 0) {
      throw new Error(`The filter on "${field}" must be an object of operators, e.g. {"==": "value"}.`);
    }
    for (const [op, operand] of Object.entries(ops)) {
      if (!FILTER_OPERATORS.includes(op)) {
        throw new Error(`Unknown operator "${op}" on "${field}"; use one of ${FILTER_OPERATORS.join(' ')}.`);
      }
      if ((op === 'in' || op === 'not_in') && !Array.isArray(operand)) {
        throw new Error(`"${op}" on "${field}" needs a JSON array, e.g. ["a", "b"].`);
      }
    }
  }
  return value;
}

function validateFilters() {
  const area = $('filters');
  try {
    const filters = parseFilters(area.value);
    area.removeAttribute('aria-invalid');
    clearError($('filters-error'));
    return { ok: true, filters };
  } catch (e) {
    area.setAttribute('aria-invalid', 'true');
    showError($('filters-error'), e.message);
    return { ok: false };
  }
}

async function search(event) {
  event.preventDefault();
  const errorBox = $('search-error');
  clearError(errorBox);
  const query = $('query').value.trim();
  if (!query) {
    showError(errorBox, 'Type a query first.');
    $('query').focus();
    return;
  }
  if (!$('index-select').value) {
    showError(errorBox, 'Choose an index first.');
    return;
  }
  const topK = Number($('top-k').value);
  if (!Number.isInteger(topK) || topK < 1 || topK > 1000) {
    showError(errorBox, 'Results must be a whole number from 1 to 1000.');
    $('top-k').focus();
    return;
  }
  const checked = validateFilters();
  if (!checked.ok) {
    $('filters').focus();
    return;
  }
  const body = { query, top_k: topK };
  if (checked.filters) body.metadata_filters = checked.filters;
  if ($('hybrid').checked) body.vector_weight = Number($('vector-weight').value);

  const button = $('search-go');
  button.disabled = true;
  $('search-meta').textContent = 'Searching…';
  try {
    const answer = await apiJson(indexPath('/search'), { method: 'POST', body });
    const list = $('results');
    list.replaceChildren(...answer.results.map(passageItem));
    let meta = `${answer.results.length} result${answer.results.length === 1 ? '' : 's'}`;
    const total = answer.timing_ms?.total;
    if (typeof total === 'number') meta += ` in ${total.toFixed(1)} ms`;
    if (answer.partial) meta += ` — partial: shards ${(answer.missing_shards || []).join(', ')} did not answer`;
    $('search-meta').textContent = meta;
  } catch (e) {
    $('search-meta').textContent = '';
    $('results').replaceChildren();
    showError(errorBox, e);
  } finally {
    button.disabled = false;
  }
}

function setUpSearch() {
  $('search-form').addEventListener('submit', search);
  $('filters').addEventListener('blur', () => {
    if ($('filters').value.trim() !== '' || $('filters').hasAttribute('aria-invalid')) validateFilters();
  });
  const weight = $('vector-weight');
  const showWeight = () => { $('vector-weight-value').textContent = Number(weight.value).toFixed(2); };
  weight.addEventListener('input', showWeight);
  $('hybrid').addEventListener('change', () => { weight.disabled = !$('hybrid').checked; });
  weight.disabled = !$('hybrid').checked;
  showWeight();
}

// ---------------------------------------------------------------- chat

/**
 * The server-sent events of a streamed response, as {event, data} with data parsed as JSON. Follows
 * the SSE format (fields per line, a blank line ends an event); events without data, such as the
 * server's heartbeats, are skipped.
 */
async function* serverSentEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let type = '';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (data.length > 0) yield { event: type || 'message', data: JSON.parse(data.join('\n')) };
        type = '';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = fieldValue;
        else if (field === 'data') data.push(fieldValue);
      }
    }
  }
}

/** The conversation so far, sent with each question so follow-ups have context. */
let history = [];
let chatAbort = null;

function chatTurn(role, text) {
  const turn = el('div', 'turn ' + role);
  turn.append(el('span', 'who', role === 'user' ? 'You' : 'Answer'));
  const body = el('p', 'says', text);
  turn.append(body);
  $('chat-log').append(turn);
  return { turn, body };
}

async function chat(event) {
  event.preventDefault();
  const errorBox = $('chat-error');
  clearError(errorBox);
  const question = $('question').value.trim();
  if (!question) {
    showError(errorBox, 'Type a question first.');
    $('question').focus();
    return;
  }
  if (!$('index-select').value) {
    showError(errorBox, 'Choose an index first.');
    return;
  }
  chatTurn('user', question);
  const answer = chatTurn('assistant', '');
  answer.body.setAttribute('aria-busy', 'true');
  const meta = el('p', 'muted', 'searching…');
  answer.turn.append(meta);
  $('question').value = '';
  $('chat-go').disabled = true;
  $('chat-stop').disabled = false;
  chatAbort = new AbortController();
  let text = '';
  let finished = false;
  try {
    const response = await api(indexPath('/chat'), {
      method: 'POST', signal: chatAbort.signal, body: { question, history, stream: true },
    });
    for await (const { event: type, data } of serverSentEvents(response)) {
      if (type === 'sources') {
        $('chat-sources').replaceChildren(...data.sources.map(passageItem));
        meta.textContent = 'answering…';
      } else if (type === 'token') {
        text += data.text;
        answer.body.textContent = text;
      } else if (type === 'done') {
        text = data.answer;
        answer.body.textContent = text;
        $('chat-sources').replaceChildren(...data.sources.map(passageItem));
        const total = data.timing_ms?.total;
        meta.textContent = data.model + (typeof total === 'number' ? ` · ${(total / 1000).toFixed(1)} s` : '');
        finished = true;
      } else if (type === 'error') {
        throw new ApiError(200, data.error?.code ?? 'error', data.error?.message ?? 'the answer failed');
      }
    }
    if (!finished) throw new Error('the answer stopped before it was complete');
    history = history.concat([{ role: 'user', content: question }, { role: 'assistant', content: text }]);
  } catch (e) {
    if (e.name === 'AbortError') {
      meta.textContent = 'stopped';
    } else {
      meta.textContent = 'failed';
      showError(errorBox, e instanceof ApiError && e.status === 200 ? e.code + ': ' + e.message : e);
    }
  } finally {
    answer.body.removeAttribute('aria-busy');
    chatAbort = null;
    $('chat-go').disabled = false;
    $('chat-stop').disabled = true;
  }
}

function setUpChat() {
  $('chat-form').addEventListener('submit', chat);
  $('question').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $('chat-form').requestSubmit();
    }
  });
  $('chat-stop').addEventListener('click', () => chatAbort?.abort());
  $('chat-new').addEventListener('click', () => {
    chatAbort?.abort();
    history = [];
    $('chat-log').replaceChildren();
    $('chat-sources').replaceChildren();
    clearError($('chat-error'));
  });
}

// ---------------------------------------------------------------- cluster

function table(headings, rows) {
  const t = el('table');
  const headRow = el('tr');
  for (const h of headings) {
    const th = el('th', null, h);
    th.scope = 'col';
    headRow.append(th);
  }
  const head = el('thead');
  head.append(headRow);
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    for (const cell of row) tr.append(el('td', null, cell ?? '—'));
    body.append(tr);
  }
  t.append(head, body);
  return t;
}

/** An admin listing, or why it cannot be shown ("needs admin key" for 401 and 403). */
async function adminTable(path, into, headings, toRows) {
  const box = $(into);
  try {
    box.replaceChildren(table(headings, toRows(await apiJson(path))));
  } catch (e) {
    const needsKey = e instanceof ApiError && (e.status === 401 || e.status === 403);
    const note = el('p', needsKey ? 'notice' : 'error', needsKey ? 'needs admin key' : describe(e));
    if (needsKey) note.title = describe(e);
    box.replaceChildren(note);
  }
}

async function loadCluster() {
  const health = $('health');
  try {
    const h = await apiJson('/health');
    health.className = h.status === 'ok' ? 'ok' : 'error';
    // The detail usually starts with the status already ("ok: ... is up").
    health.textContent = h.detail && h.detail.startsWith(h.status) ? h.detail : h.status + (h.detail ? ' — ' + h.detail : '');
  } catch (e) {
    health.className = 'error';
    health.textContent = describe(e);
  }
  await Promise.all([
    adminTable('/admin/nodes', 'nodes', ['Address', 'Roles', 'Status'],
      (r) => r.nodes.map((n) => [n.address, (n.roles || []).join(', '), n.status])),
    adminTable('/admin/shards', 'shards', ['Index', 'Shard', 'Desired node', 'Actual node'],
      (r) => r.shards.map((s) => [s.index, s.shard, s.desired_node, s.actual_node])),
  ]);
}

// ---------------------------------------------------------------- start

function refreshAll() {
  loadIndexes();
  loadCluster();
}

document.addEventListener('DOMContentLoaded', () => {
  setUpKey();
  setUpSearch();
  setUpChat();
  $('index-select').addEventListener('change', indexChanged);
  $('index-reload').addEventListener('click', loadIndexes);
  $('cluster-reload').addEventListener('click', loadCluster);
  refreshAll();
});
