/**
 * The review dashboard in the browser: bindings live over the event stream,
 * what changed, held syncs, conflicts of a `manual()` resolver and the
 * journal, with the actions the API offers. Every request goes to the same
 * routes as any client, with the token the person entered once.
 */
import './style.css';
import { ApiError, getJson, openEventStream, postJson, tokenStore } from './api.js';
import { renderMarkdown } from './markdown.js';
import { h, json, threeWay, time } from './view.js';

// ── the shapes the handler answers with (the parts the page reads) ─────

interface Change {
  id: string;
  level: string;
  operation?: string;
  text: string;
}
interface Binding {
  id: string;
  sourceKind: string;
  targetKind: string;
  intervalMs: number;
  circuit: 'closed' | 'open' | 'half-open';
  nextPoll?: number;
  lastResult?: { jobId: string; outcome: string; finishedAt: number; changes: Change[]; conflicts: unknown[] };
  lastError?: { code: string; message: string };
}
interface Status {
  state: string;
  jobs: Array<{ id: string; sourceId: string; status: string }>;
  bindings: Binding[];
}
interface Held {
  jobId: string;
  sourceId: string;
  reason: string;
  details: Record<string, unknown>;
  heldAt: number;
  changes: Change[];
}
interface Conflict {
  path: string;
  kind: string;
  base: unknown;
  local: unknown;
  remote: unknown;
  note?: string;
}
interface Pending {
  jobId: string;
  sourceId: string;
  conflicts: Conflict[];
  expiresAt: number;
}
interface JournalEntry {
  id: string;
  kind: 'sync' | 'rollback';
  at: number;
  jobId?: string;
  rolledBack?: string;
  changes: Change[];
  firstSync: boolean;
  /** Reverse patch: what rolling back writes into the local copy. */
  localPatch: Array<{ op: string; path: string }>;
}
interface Changelog {
  last: { journalId: string; jobId?: string; at: number; markdown: string } | null;
  held: { jobId: string; markdown: string } | null;
}

// ── page state ─────────────────────────────────────────────────────────

const body = document.body;
const needsToken = body.dataset['auth'] === 'true';
const canAct = body.dataset['actions'] === 'true';
const protectedReads = body.dataset['protected-reads'] === 'true' || body.dataset['protectedReads'] === 'true';
/** Whether the page may read local values now: they need no token, or it has one. */
const mayRead = (): boolean => !protectedReads || tokenStore.get() !== undefined;
const byId = (id: string): HTMLElement => document.getElementById(id)!;

let status: Status | undefined;
let held: Held[] = [];
let pending: Pending[] = [];
let selected: string | undefined;
/** What the held and conflict sections show (undefined: something else, e.g. a request for the token); unchanged lists are not rebuilt, so a half-made decision survives an update. */
let heldKey: string | undefined;
let pendingKey: string | undefined;

function announce(text: string): void {
  byId('announce').textContent = text;
}

function problem(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}${error.hint ? ` ${error.hint}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/** Show an error in a section, as an alert. */
function fail(section: string, error: unknown): void {
  const box = byId(section);
  box.querySelector('.error')?.remove();
  box.prepend(h('p', { class: 'error', role: 'alert' }, problem(error)));
  if (error instanceof ApiError && error.status === 401) askToken('The server refused the token; enter it again.');
}

// ── bindings ───────────────────────────────────────────────────────────

function stateOf(binding: Binding): string {
  if (status?.state === 'paused') return 'paused';
  if (binding.circuit === 'open') return 'breaker open';
  if (status?.jobs.some((job) => job.sourceId === binding.id && job.status === 'running')) return 'running';
  if (held.some((h) => h.sourceId === binding.id)) return 'held';
  return 'idle';
}

function renderBindings(): void {
  const bindings = status?.bindings ?? [];
  const rows = bindings.map((binding) => {
    const state = stateOf(binding);
    const last = binding.lastResult;
    const outcome = binding.lastError ? `failed (${binding.lastError.code})` : (last?.outcome ?? 'never synced');
    const show = h(
      'button',
      { type: 'button', 'aria-pressed': String(selected === binding.id), 'aria-label': `Show changes and journal of ${binding.id}` },
      'Show',
    );
    show.addEventListener('click', () => select(binding.id));
    const sync = canAct
      ? actionButton(`Sync ${binding.id} now`, 'Sync now', async () => {
          try {
            const result = await postJson<{ outcome: string }>(`sources/${encodeURIComponent(binding.id)}/sync`);
            announce(`Synced ${binding.id}: ${result.outcome}.`);
          } catch (error) {
            fail('bindings', error);
          }
        })
      : undefined;
    return h(
      'tr',
      { 'data-binding': binding.id },
      h('th', { scope: 'row' }, binding.id),
      h('td', {}, h('span', { class: `state state-${state.replace(' ', '-')}`, 'data-state': state }, state)),
      h('td', {}, time(last?.finishedAt), h('br'), h('span', { class: 'outcome' }, outcome)),
      h('td', {}, binding.intervalMs > 0 ? time(binding.nextPoll) : 'not polling'),
      h('td', {}, `${binding.sourceKind} → ${binding.targetKind}`),
      h('td', { class: 'number' }, String(last?.changes.length ?? 0)),
      h('td', { class: 'number' }, String(last?.conflicts.length ?? 0)),
      h('td', { class: 'row-actions' }, show, sync),
    );
  });
  const table = h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, 'Every binding, updated live'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Binding', 'State', 'Last sync', 'Next poll', 'Source → target', 'Changes', 'Conflicts', 'Actions'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    h('tbody', {}, ...rows),
  );
  byId('bindings').replaceChildren(bindings.length === 0 ? h('p', {}, 'No binding yet.') : table);
  byId('mode').textContent =
    `Engine ${status?.state ?? '…'}.${canAct ? '' : ' Read-only: this handler has no auth, so the page offers no action.'}`;
}

// ── held syncs ─────────────────────────────────────────────────────────

function actionButton(label: string, name: string, run: () => Promise<void>): HTMLButtonElement {
  const button = h('button', { type: 'button', 'aria-label': label }, name);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await run();
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

async function renderHeld(): Promise<void> {
  const key = held.map((h) => h.jobId).join(',');
  if (key === heldKey) return;
  heldKey = key;
  const cards = await Promise.all(
    held.map(async (sync) => {
      const changelog = await getJson<Changelog>(`sources/${encodeURIComponent(sync.sourceId)}/changelog`).catch(() => undefined);
      const actions = canAct
        ? h(
            'div',
            { class: 'actions' },
            actionButton(`Approve the held sync of ${sync.sourceId}`, 'Approve', async () => {
              try {
                await postJson(`jobs/${encodeURIComponent(sync.jobId)}/approve`);
                announce(`Approved the held sync of ${sync.sourceId}.`);
              } catch (error) {
                fail('held', error);
              }
            }),
            actionButton(`Dismiss the held sync of ${sync.sourceId}`, 'Dismiss', async () => {
              try {
                await postJson(`jobs/${encodeURIComponent(sync.jobId)}/dismiss`);
                announce(`Dismissed the held sync of ${sync.sourceId}.`);
                await refresh();
              } catch (error) {
                fail('held', error);
              }
            }),
          )
        : undefined;
      return h(
        'article',
        { class: 'card', 'data-job': sync.jobId, 'aria-label': `Held sync of ${sync.sourceId}` },
        h('h3', {}, `${sync.sourceId}: held (${sync.reason})`),
        h('p', {}, `Held at ${time(sync.heldAt)}, job ${sync.jobId}. ${reasonText(sync)}`),
        changelog?.held ? renderMarkdown(changelog.held.markdown, 4, `held-${sync.jobId}`) : undefined,
        actions,
      );
    }),
  );
  byId('held').replaceChildren(...(cards.length === 0 ? [h('p', {}, 'No sync is held.')] : cards));
}

function reasonText(sync: Held): string {
  if (sync.reason === 'mass-removal') return `The remote drops many operations: ${JSON.stringify(sync.details)}.`;
  if (sync.reason === 'breaking-changes') return 'The remote carries breaking changes.';
  if (sync.reason === 'settling') return 'The remote keeps changing (flapping); waiting for it to settle.';
  return JSON.stringify(sync.details);
}

// ── conflicts ──────────────────────────────────────────────────────────

function renderConflicts(): void {
  const key = pending.map((p) => `${p.jobId}:${p.conflicts.length}`).join(',');
  if (key === pendingKey) return;
  pendingKey = key;
  const forms = pending.map((job, jobIndex) => {
    const form = h('form', { class: 'card', 'data-job': job.jobId, 'aria-label': `Conflicts of ${job.sourceId}` });
    form.append(
      h('h3', {}, `${job.sourceId}: ${job.conflicts.length} conflict(s)`),
      h('p', {}, `Job ${job.jobId} waits for a person until ${time(job.expiresAt)}; what is left undecided then goes to the fallback.`),
    );
    job.conflicts.forEach((conflict, index) => {
      const name = `c-${jobIndex}-${index}`;
      const choice = (take: string, label: string): HTMLElement =>
        h('label', {}, h('input', { type: 'radio', name, value: take, disabled: !canAct }), ` ${label}`);
      const editor = h('textarea', { id: `${name}-value`, rows: '4', disabled: true, spellcheck: 'false' }, json(conflict.local));
      const fieldset = h(
        'fieldset',
        { 'data-path': conflict.path },
        h('legend', {}, h('code', {}, conflict.path), ` (${conflict.kind})`),
        conflict.note ? h('p', {}, conflict.note) : undefined,
        threeWay(conflict.base, conflict.local, conflict.remote),
        h(
          'div',
          { class: 'choices', role: 'radiogroup', 'aria-label': `Decision for ${conflict.path}` },
          choice('local', 'Keep local'),
          choice('remote', 'Take remote'),
          choice('value', 'Edit value'),
        ),
        h('label', { for: `${name}-value`, class: 'editor-label' }, `Value for ${conflict.path} (JSON)`),
        editor,
      );
      fieldset.addEventListener('change', () => {
        const chosen = fieldset.querySelector<HTMLInputElement>('input[type=radio]:checked')?.value;
        editor.disabled = !canAct || chosen !== 'value';
      });
      form.append(fieldset);
    });
    if (canAct) form.append(h('div', { class: 'actions' }, h('button', { type: 'submit' }, `Submit decisions for ${job.sourceId}`)));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void submitDecisions(job, form);
    });
    return form;
  });
  byId('conflicts').replaceChildren(...(forms.length === 0 ? [h('p', {}, 'No job waits for a decision.')] : forms));
}

async function submitDecisions(job: Pending, form: HTMLFormElement): Promise<void> {
  const decisions: unknown[] = [];
  for (const fieldset of form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-path]')) {
    const path = fieldset.dataset['path']!;
    const take = fieldset.querySelector<HTMLInputElement>('input[type=radio]:checked')?.value;
    if (take === undefined) continue;
    const reason = 'decided in the dashboard';
    if (take !== 'value') {
      decisions.push({ path, take, reason });
      continue;
    }
    try {
      decisions.push({ path, take, value: JSON.parse(fieldset.querySelector('textarea')!.value) as unknown, reason });
    } catch (error) {
      fail('conflicts', new Error(`The value for ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
  }
  try {
    const answer = await postJson<{ accepted?: number; refused?: unknown[]; undecided?: string[] }>(
      `jobs/${encodeURIComponent(job.jobId)}/decisions`,
      { decisions },
    );
    announce(
      `Sent ${decisions.length} decision(s) for ${job.sourceId}: ${answer.accepted ?? decisions.length} taken, ${answer.refused?.length ?? 0} refused, ${answer.undecided?.length ?? 0} left to the fallback.`,
    );
  } catch (error) {
    fail('conflicts', error);
  }
}

// ── what changed and the journal of the selected binding ──────────────

function select(id: string): void {
  selected = id;
  renderBindings();
  void refreshSelected();
}

async function refreshSelected(): Promise<void> {
  const id = selected;
  if (id === undefined) {
    byId('changes').replaceChildren(h('p', {}, 'No binding selected.'));
    byId('journal').replaceChildren();
    return;
  }
  const path = `sources/${encodeURIComponent(id)}`;
  try {
    const [changelog, journal] = await Promise.all([getJson<Changelog>(`${path}/changelog`), getJson<JournalEntry[]>(`${path}/journal`)]);
    if (id !== selected) return;
    byId('changes').replaceChildren(
      changelog.last
        ? h(
            'div',
            {},
            h('p', {}, `Last applied sync of ${id}: ${time(changelog.last.at)}, journal entry ${changelog.last.journalId}.`),
            renderMarkdown(changelog.last.markdown, 3, `changes-${id}`),
          )
        : h('p', {}, `${id} has no applied sync yet.`),
    );
    renderJournal(id, journal);
  } catch (error) {
    byId('changes').replaceChildren();
    fail('changes', error);
  }
}

function describeEntry(entry: JournalEntry): string {
  const what =
    entry.kind === 'rollback'
      ? `rollback of ${entry.rolledBack ?? '?'}`
      : `sync${entry.jobId ? ` ${entry.jobId}` : ''}${entry.firstSync ? ' (first sync)' : ''}`;
  return `${entry.id}, ${what} at ${time(entry.at)}`;
}

function renderJournal(id: string, entries: JournalEntry[]): void {
  const rows = entries.map((entry, index) => {
    const undone = entries.slice(0, index + 1);
    const button =
      canAct && !entry.firstSync
        ? actionButton(`Roll back ${id} to before ${entry.id}`, 'Roll back', () => confirmRollback(id, entry, undone))
        : undefined;
    return h(
      'tr',
      { 'data-entry': entry.id },
      h('th', { scope: 'row' }, entry.id),
      h('td', {}, entry.kind),
      h('td', {}, time(entry.at)),
      h('td', {}, entry.kind === 'rollback' ? `undid ${entry.rolledBack ?? '?'}` : `${entry.changes.length} change(s)`),
      h('td', {}, button ?? (entry.firstSync ? 'first sync' : '')),
    );
  });
  byId('journal').replaceChildren(
    entries.length === 0
      ? h('p', {}, `${id} has no journal entry yet.`)
      : h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            {},
            h('caption', {}, `Journal of ${id}, newest first`),
            h('thead', {}, h('tr', {}, ...['Entry', 'Kind', 'Time', 'What', 'Action'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...rows),
          ),
        ),
  );
}

/** The places of the local copy rolling back an entry writes, as a list item. */
function restores(entry: JournalEntry): HTMLElement {
  const paths = [...new Set(entry.localPatch.map((op) => op.path))];
  const shown = paths.slice(0, 10);
  return h(
    'li',
    {},
    paths.length === 0 ? 'the local copy keeps its values (only the base changes)' : 'restores in the local copy: ',
    ...shown.flatMap((path, i) => [i > 0 ? ', ' : '', h('code', {}, path)]),
    paths.length > shown.length ? ` and ${paths.length - shown.length} more` : '',
  );
}

/** Ask before rolling back, naming every entry that will be undone, what each changed and what it restores. */
function confirmRollback(id: string, entry: JournalEntry, undone: JournalEntry[]): Promise<void> {
  const dialog = h('dialog', { 'aria-labelledby': 'rollback-title', class: 'confirm' });
  const list = h(
    'ul',
    {},
    ...undone.map((e) =>
      h('li', {}, describeEntry(e), h('ul', {}, ...e.changes.slice(0, 20).map((c) => h('li', {}, `undo: ${c.text}`)), restores(e))),
    ),
  );
  const confirm = h('button', { type: 'button', class: 'danger' }, `Roll back ${undone.length} entr${undone.length === 1 ? 'y' : 'ies'}`);
  const cancel = h('button', { type: 'button' }, 'Cancel');
  dialog.append(
    h('h3', { id: 'rollback-title' }, `Roll back ${id} to before ${entry.id}?`),
    h('p', {}, `The local copy and the base return to what they were before ${entry.id}. This undoes:`),
    list,
    h('div', { class: 'actions' }, confirm, cancel),
  );
  document.body.append(dialog);
  dialog.showModal();
  cancel.focus();
  return new Promise((done) => {
    const close = (): void => {
      dialog.close();
      dialog.remove();
      done();
    };
    cancel.addEventListener('click', close);
    dialog.addEventListener('cancel', close);
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        const result = await postJson<{ id: string }>(`sources/${encodeURIComponent(id)}/rollback`, { toJournalId: entry.id });
        announce(`Rolled back ${id} to before ${entry.id} (journal entry ${result.id}).`);
      } catch (error) {
        fail('journal', error);
      }
      close();
      await refresh();
    });
  });
}

// ── loading, live updates and the token ────────────────────────────────

let refreshing: Promise<void> | undefined;
let again = false;

/** Re-read everything the page shows; calls that arrive meanwhile run once more afterwards. */
async function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        status = await getJson<Status>('status');
        if (selected === undefined || !status.bindings.some((b) => b.id === selected)) selected = status.bindings[0]?.id;
      } catch (error) {
        fail('bindings', error);
      }
      if (!mayRead()) {
        renderBindings();
        for (const section of ['held', 'conflicts', 'changes', 'journal']) {
          byId(section).replaceChildren(h('p', {}, 'Enter the access token to see this.'));
        }
        heldKey = pendingKey = undefined;
        continue;
      }
      const [heldAnswer, pendingAnswer] = await Promise.allSettled([getJson<Held[]>('held'), getJson<Pending[]>('conflicts')]);
      if (heldAnswer.status === 'fulfilled') held = heldAnswer.value;
      else fail('held', heldAnswer.reason);
      if (pendingAnswer.status === 'fulfilled') pending = pendingAnswer.value;
      else fail('conflicts', pendingAnswer.reason);
      renderBindings();
      await renderHeld();
      renderConflicts();
      await refreshSelected();
      body.dataset['updated'] = String(Date.now());
    } while (again);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = undefined;
  }
}

let pendingRefresh: ReturnType<typeof setTimeout> | undefined;
function refreshSoon(): void {
  clearTimeout(pendingRefresh);
  pendingRefresh = setTimeout(() => void refresh(), 50);
}

/** Show the token field when the page has no token, else only the button that forgets it. */
function showTokenForm(): void {
  const has = tokenStore.get() !== undefined;
  for (const id of ['token', 'use-token']) byId(id).hidden = has;
  byId('token-label').hidden = has;
  byId('forget-token').hidden = !has;
}

function askToken(message: string): void {
  const form = byId('token-form') as HTMLFormElement;
  form.hidden = false;
  if (tokenStore.get() !== undefined) tokenStore.clear();
  showTokenForm();
  byId('connection').textContent = message;
  (byId('token') as HTMLInputElement).focus();
}

const stream = openEventStream('events', mayRead, {
  onOpen() {
    byId('connection').textContent = 'Live: updates arrive as they happen.';
    body.dataset['live'] = 'true';
    void refresh();
  },
  onEvent(name) {
    if (name !== 'metrics') refreshSoon();
  },
  onClose(reason, retryMs) {
    body.dataset['live'] = 'false';
    if (reason === 'no token') return askToken('Enter the access token to see held syncs, conflicts and live updates, and to act.');
    if (retryMs === undefined) askToken('Enter the access token to see live updates and act.');
    else byId('connection').textContent = `Disconnected (${reason}); reconnecting in ${Math.round(retryMs / 1000)} s.`;
  },
});

const tokenForm = byId('token-form') as HTMLFormElement;
tokenForm.hidden = !needsToken;
showTokenForm();
tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId('token') as HTMLInputElement;
  if (input.value.trim() === '') return;
  tokenStore.set(input.value.trim());
  input.value = '';
  heldKey = pendingKey = undefined;
  showTokenForm();
  announce('Token saved for this tab.');
  stream.restart();
  void refresh();
});
byId('forget-token').addEventListener('click', () => {
  tokenStore.clear();
  showTokenForm();
  announce('Token forgotten.');
  stream.restart();
});

void refresh();
