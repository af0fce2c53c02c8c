// Browser test of the LEANN web page, in Debian's headless Chromium driven by playwright-core.
// deploy/web-check.sh starts the server and the Ollama stub and passes, in the environment:
//   WEB_CHECK_URL      http://127.0.0.1:<port> of `leann serve`
//   WEB_CHECK_INDEX    the index it serves (common-licenses files, CC0-1.0 and BSD among them)
//   WEB_CHECK_ADMIN    the server's admin token (LEANN_ADMIN_TOKEN), never printed
//   WEB_CHECK_SHOTS    where the screenshots go
//   WEB_CHECK_PROFILE  a fresh folder for the browser's profile (--user-data-dir)
//   WEB_CHECK_STUB_LOG the chat requests the Ollama stub received, one JSON per line
// Every step prints "ok - <what>"; the first failed assertion ends the run with a non-zero status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (deploy/web-check.sh sets it)`);
  return v;
};
const base = env('WEB_CHECK_URL');
const index = env('WEB_CHECK_INDEX');
const adminKey = env('WEB_CHECK_ADMIN');
const out = env('WEB_CHECK_SHOTS');
const stubLog = env('WEB_CHECK_STUB_LOG');
/** What the stub streams, one word at a time (ollama_stub.py ANSWER). */
const STUB_ANSWER = 'The CC0 deed waives copyright and related rights worldwide.';
const TIMEOUT = 60_000;

const ok = (what) => console.log('ok - ' + what);

const context = await chromium.launchPersistentContext(env('WEB_CHECK_PROFILE'), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // The closed network refuses Chromium's own background connections; these keep it quiet.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1200, height: 720 },
});
context.setDefaultTimeout(TIMEOUT);
const page = context.pages()[0] ?? await context.newPage();

// Console errors include CSP violations: the page must run under its own policy without any.
const problems = [];
page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text()); });
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
const apiRequests = [];
page.on('request', (r) => {
  const url = new URL(r.url());
  if (url.origin === base) apiRequests.push({ path: url.pathname, method: r.method(), headers: r.headers(), body: r.postData() });
});
const lastRequest = (path) => apiRequests.filter((r) => r.path === path).at(-1);

try {
  // ---- the page and its index
  const response = await page.goto(base + '/');
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/ui/');
  assert.match(response.headers()['content-security-policy'], /^default-src 'self';/);
  await page.locator(`#index-select option[value="${index}"]`).waitFor({ state: 'attached' });
  await page.selectOption('#index-select', index);
  // The panel is drawn again when the selection changes: read it once a whole list is there.
  const info = await (await page.waitForFunction(() => {
    const dts = [...document.querySelectorAll('#index-info dt')];
    if (dts.length === 0 || dts.some((dt) => !dt.nextElementSibling)) return null;
    const fields = Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
    return fields.Passages && fields.Status ? fields : null;
  })).jsonValue();
  assert.ok(Number(info.Passages) > 10, `passages: ${info.Passages}`);
  assert.match(info.Model, /MiniLM/i);
  assert.equal(info.Dimensions, '384');
  ok(`index ${index}: ${info.Passages} passages, ${info.Model}, ${info.Dimensions} dims, ${info.Metric}, ${info.Shards} shard(s)`);

  // ---- cluster status: admin routes refuse without the key, show tables with it
  await page.locator('#nodes .notice').waitFor();
  assert.equal(await page.textContent('#nodes .notice'), 'needs admin key');
  assert.equal(await page.textContent('#shards .notice'), 'needs admin key');
  assert.match(await page.textContent('#health'), /^ok/);
  ok('without a key: health ok, nodes and shards "needs admin key" (the server answered 401)');

  await page.fill('#api-key', 'not-the-key');
  // Wait from before the key press: the refused request can be answered before a later wait starts.
  const refused = page.waitForResponse((r) => r.url().endsWith('/admin/nodes'));
  await page.press('#api-key', 'Enter');
  await refused;
  await page.locator('#nodes .notice').waitFor();
  assert.equal(lastRequest('/admin/nodes').headers.authorization, 'Bearer not-the-key');
  assert.equal(await page.textContent('#key-state'), 'key set for this tab');
  ok('a wrong key is sent as Authorization: Bearer and still "needs admin key"');

  await page.fill('#api-key', adminKey);
  await page.click('#key-form button[type=submit]');
  await page.locator('#shards table tbody tr').first().waitFor();
  assert.equal(await page.inputValue('#api-key'), '', 'the key field is emptied once the key is stored');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('leann.apiKey')), adminKey);
  const shardRows = await page.$$eval('#shards tbody tr', (rows) => rows.map((r) => r.firstChild.textContent));
  assert.ok(shardRows.includes(index), `shards table: ${shardRows}`);
  assert.ok(await page.locator('#nodes tbody tr').count() >= 1);
  ok(`with the admin key: ${await page.locator('#nodes tbody tr').count()} node(s), ${shardRows.length} shard row(s)`);

  // ---- search: typed, submitted with Enter, the relevant passage found
  await page.fill('#query', 'waive copyright and related rights, public domain dedication');
  await page.press('#query', 'Enter');
  await page.locator('#results li').first().waitFor();
  const hits = await page.$$eval('#results li', (lis) => lis.map((li) => ({
    source: li.querySelector('.source').textContent, score: li.querySelector('.score').textContent,
    text: li.querySelector('.text').textContent })));
  assert.equal(hits.length, 5);
  assert.ok(hits.slice(0, 3).some((h) => h.source.endsWith('CC0-1.0') && /Affirmer|CC0|Waiver/.test(h.text)),
    `no CC0-1.0 passage in the top 3: ${hits.map((h) => h.source).join(', ')}`);
  assert.match(hits[0].score, /^(score|distance) -?\d+\.\d{3}$/);
  assert.match(await page.textContent('#search-meta'), /^5 results in \d+\.\d ms/);
  ok(`search: top hits ${hits.map((h) => h.source).join(', ')}`);
  await page.screenshot({ path: join(out, 'search.png') });

  // ---- filters: an invalid one is refused in the page, a valid one narrows the results
  const searchesBefore = apiRequests.filter((r) => r.path.endsWith('/search')).length;
  await page.fill('#filters', '{"file_name": {"=": "BSD"}}');
  await page.click('#search-go');
  await page.locator('#filters-error').waitFor();
  assert.match(await page.textContent('#filters-error'), /Unknown operator "=" on "file_name"/);
  assert.equal(await page.getAttribute('#filters', 'aria-invalid'), 'true');
  await page.fill('#filters', '{"file_name": {"==": "BSD"}');
  await page.click('#search-go');
  assert.match(await page.textContent('#filters-error'), /not valid JSON/);
  assert.equal(apiRequests.filter((r) => r.path.endsWith('/search')).length, searchesBefore, 'an invalid filter was sent');
  ok('invalid filters are explained and not sent');

  await page.fill('#filters', '{"file_name": {"==": "BSD"}}');
  await page.check('#hybrid');
  await page.focus('#vector-weight');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.textContent('#vector-weight-value'), '0.70');
  const filtered = page.waitForResponse((r) => r.url().endsWith('/search') && r.request().postData().includes('BSD'));
  await page.click('#search-go');
  await filtered;
  await page.waitForFunction(() => document.querySelector('#search-meta').textContent.includes('results in'));
  assert.ok(await page.locator('#filters-error').isHidden());
  const sent = JSON.parse(lastRequest(`/indexes/${index}/search`).body);
  assert.deepEqual(sent.metadata_filters, { file_name: { '==': 'BSD' } });
  assert.equal(sent.vector_weight, 0.7);
  const sources = await page.$$eval('#results li .source', (s) => s.map((e) => e.textContent));
  assert.ok(sources.length >= 1 && sources.every((s) => s.endsWith('BSD')), `filtered sources: ${sources}`);
  ok(`filter file_name == BSD, hybrid weight 0.7: ${sources.length} results, all from BSD`);

  // ---- chat: the stub's answer streams in word by word, the sources are listed
  await page.evaluate(() => {
    // Every text the answer shows, in order, as the tokens arrive.
    window.answerStates = [];
    new MutationObserver(() => {
      const says = document.querySelectorAll('#chat-log .turn.assistant .says');
      const text = says.length ? says[says.length - 1].textContent : '';
      if (text && text !== window.answerStates.at(-1)) window.answerStates.push(text);
    }).observe(document.querySelector('#chat-log'), { subtree: true, childList: true, characterData: true });
  });
  const question = 'What does the CC0 deed waive?';
  await page.fill('#question', question);
  await page.press('#question', 'Control+Enter');
  await page.locator('#chat-sources li').first().waitFor();
  await page.waitForFunction(() => document.querySelector('#chat-log .turn.assistant .muted')?.textContent.includes('web-check-stub'));
  const states = await page.evaluate(() => window.answerStates);
  const answer = await page.textContent('#chat-log .turn.assistant .says');
  assert.equal(answer, STUB_ANSWER);
  const partial = states.filter((s) => s !== STUB_ANSWER);
  assert.ok(partial.length >= 3, `the answer did not stream in: ${JSON.stringify(states)}`);
  assert.ok(partial.every((s) => STUB_ANSWER.startsWith(s)), `states not prefixes: ${JSON.stringify(states)}`);
  const chatSources = await page.$$eval('#chat-sources li .source', (s) => s.map((e) => e.textContent));
  assert.ok(chatSources.some((s) => s.endsWith('CC0-1.0')), `chat sources: ${chatSources}`);
  const chatBody = JSON.parse(lastRequest(`/indexes/${index}/chat`).body);
  assert.equal(chatBody.stream, true);
  const toModel = readFileSync(stubLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).at(-1);
  assert.ok(toModel.messages.some((m) => m.content.includes(question)), 'the question did not reach the model');
  assert.ok(toModel.messages.some((m) => /CC0|Affirmer/.test(m.content)), 'the CC0 passages did not reach the model');
  ok(`chat: answer streamed in ${states.length} steps, ${chatSources.length} sources (${[...new Set(chatSources)].join(', ')})`);
  await page.locator('#chat-h').evaluate((h) => h.scrollIntoView());
  await page.screenshot({ path: join(out, 'chat.png') });

  // ---- the page at phone width: nothing wider than the screen, every control labelled
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 375, `the page is ${overflow} px wide at 375 px`);
  const unlabelled = await page.$$eval('input, select, textarea', (els) =>
    els.filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(out, 'phone.png') });
  ok('375 px wide: no horizontal scrolling, every control has a label');

  assert.deepEqual(problems, [], 'console errors (a CSP violation shows here)');
  ok('no console errors or CSP violations');
} catch (e) {
  await page.screenshot({ path: join(out, 'failure.png'), fullPage: true }).catch(() => {});
  throw e;
} finally {
  await context.close();
}
