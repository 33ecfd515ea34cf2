/*
 * tiendo dashboard: one page, routes in the URL's hash, data from /v1/,
 * live through /v1/stream (Server-Sent Events).  No framework, no build
 * step: elements are made with el() (never innerHTML, so a unit's name
 * cannot inject markup).  Charts are Chart.js from Debian.
 */
'use strict';

const I18N = {
  vi: {
    nav_overview: 'Tổng quan', nav_alerts: 'Cảnh báo', nav_ranking: 'Thi đua',
    nav_report: 'Báo cáo tuần', live_on: 'Trực tiếp', live_off: 'Mất kết nối',
    unit: 'Đơn vị', task: 'Nhiệm vụ', owner: 'Cơ quan chủ trì', status: 'Trạng thái',
    all: 'Tất cả', sort: 'Sắp xếp', sort_tree: 'Theo cây đơn vị', sort_name: 'Theo tên',
    sort_worst: 'Chậm nhất trước', at: 'Tại ngày', now: 'Hiện tại', page: 'Trang',
    prev: '‹ Trước', next: 'Sau ›', counts: 'Số đơn vị theo trạng thái',
    whole: 'toàn bộ', children: 'đơn vị con', open_unit: 'Xem đơn vị',
    measure: 'Đơn vị tính', start: 'Bắt đầu', deadline: 'Hạn', target: 'Chỉ tiêu',
    actual: 'Thực hiện', percent: '% hoàn thành', expected: '% kế hoạch', lag: 'Chậm (điểm)',
    projected: 'Dự kiến hoàn thành', will_not_finish: 'không kịp hạn', finished: 'đã hoàn thành',
    no_data: 'chưa có số liệu', reports: 'Số báo cáo', last_report: 'Báo cáo cuối',
    chart_actual: 'Thực hiện', chart_expected: 'Kế hoạch (tiến độ)', chart_target: 'Chỉ tiêu',
    chart_deadline: 'Hạn', rollup_of: 'Tổng hợp', pick_unit: 'Bấm vào một dòng để xem biểu đồ của đơn vị.',
    active_alerts: 'Cảnh báo đang hiệu lực', recent_events: 'Diễn biến gần đây',
    severity: 'Mức độ', since: 'Từ', message: 'Nội dung', when: 'Lúc', transition: 'Chuyển trạng thái',
    none: 'Không có.', latest_reports: 'Báo cáo gần nhất', reporter: 'Người báo cáo',
    note: 'Ghi chú', value: 'Giá trị', observed: 'Thời điểm', tasks_of_unit: 'Các nhiệm vụ',
    parent: 'Trực thuộc', kind: 'Loại', rank: 'Hạng', score: 'Điểm', tasks_n: 'Số chỉ tiêu',
    done_n: 'Đã xong', behind_n: 'Chậm/quá hạn', rule: 'Cách tính điểm',
    export: 'Xuất', print: 'In báo cáo', weekly_title: 'BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ',
    as_of: 'Tính đến', summary: 'Tổng hợp theo nhiệm vụ', top_units: 'Xếp hạng thi đua',
    error: 'Lỗi', voided: 'đã hủy', correction: 'hủy báo cáo',
    login: 'Đăng nhập', logout: 'Đăng xuất', name: 'Tên tài khoản', password: 'Mật khẩu',
    login_failed: 'Sai tên hoặc mật khẩu.',
    st_done: 'Hoàn thành', st_on_track: 'Đúng tiến độ', st_lagging: 'Chậm',
    st_critical: 'Chậm nghiêm trọng', st_overdue: 'Quá hạn', st_silent: 'Không báo cáo',
    st_missing_report: 'Chưa nộp báo cáo', st_not_started: 'Chưa bắt đầu',
    sev_critical: 'nghiêm trọng', sev_warning: 'cảnh báo', sev_info: 'thông tin',
    tr_firing: 'phát sinh', tr_escalated: 'tăng mức', tr_eased: 'giảm mức',
    tr_reminder: 'nhắc lại', tr_resolved: 'đã hết', tr_done: 'hoàn thành',
    ms_yes: 'Đạt', ms_no: 'Chưa đạt', ms_reached: 'đạt', ceil_kept: 'Trong trần',
    ceil_broken: 'Vượt trần', ceiling: 'Mức trần', target_short: 'chỉ tiêu',
    indicators_done: 'chỉ tiêu đạt', indicators: 'Các chỉ tiêu', unit_kind: 'Loại đơn vị',
    err_offline: 'Không kết nối được với máy chủ tiendo. Trang sẽ tự tải lại khi có kết nối.',
    err_forbidden: 'Tài khoản này không được xem mục này.', err_notfound: 'Không tìm thấy mục này.',
    err_unavailable: 'Máy chủ tạm thời không đọc được số liệu; hãy thử lại sau.',
    err_other: 'Máy chủ từ chối yêu cầu',
    uk_province: 'Tỉnh', uk_district: 'Huyện', uk_town: 'Thị trấn', uk_commune: 'Xã', uk_ward: 'Phường',
    uk_department: 'Phòng, ban', uk_village: 'Thôn', uk_party_committee: 'Cấp ủy',
  },
  en: {
    nav_overview: 'Overview', nav_alerts: 'Alerts', nav_ranking: 'Ranking',
    nav_report: 'Weekly report', live_on: 'Live', live_off: 'Disconnected',
    unit: 'Unit', task: 'Task', owner: 'Owner', status: 'Status',
    all: 'All', sort: 'Sort', sort_tree: 'Unit tree', sort_name: 'Name',
    sort_worst: 'Worst first', at: 'As of', now: 'Now', page: 'Page',
    prev: '‹ Previous', next: 'Next ›', counts: 'Units per status',
    whole: 'whole', children: 'sub-units', open_unit: 'Open unit',
    measure: 'Measure', start: 'Start', deadline: 'Deadline', target: 'Target',
    actual: 'Actual', percent: '% done', expected: '% expected', lag: 'Lag (points)',
    projected: 'Projected finish', will_not_finish: 'will not finish by the deadline',
    finished: 'finished', no_data: 'no data yet', reports: 'Reports', last_report: 'Last report',
    chart_actual: 'Actual', chart_expected: 'Expected pace', chart_target: 'Target',
    chart_deadline: 'Deadline', rollup_of: 'Roll-up', pick_unit: 'Click a row to see that unit\'s chart.',
    active_alerts: 'Active alerts', recent_events: 'Recent events',
    severity: 'Severity', since: 'Since', message: 'Message', when: 'When', transition: 'Transition',
    none: 'None.', latest_reports: 'Latest reports', reporter: 'Reporter',
    note: 'Note', value: 'Value', observed: 'Observed', tasks_of_unit: 'Tasks',
    parent: 'Parent', kind: 'Kind', rank: 'Rank', score: 'Score', tasks_n: 'Targets',
    done_n: 'Done', behind_n: 'Behind', rule: 'How the score is computed',
    export: 'Export', print: 'Print', weekly_title: 'PROGRESS REPORT',
    as_of: 'As of', summary: 'Summary by task', top_units: 'Ranking',
    error: 'Error', voided: 'voided', correction: 'voids report',
    login: 'Log in', logout: 'Log out', name: 'Account', password: 'Password',
    login_failed: 'Wrong name or password.',
    st_done: 'Done', st_on_track: 'On track', st_lagging: 'Lagging',
    st_critical: 'Critical', st_overdue: 'Overdue', st_silent: 'Silent',
    st_missing_report: 'Report missing', st_not_started: 'Not started',
    sev_critical: 'critical', sev_warning: 'warning', sev_info: 'info',
    tr_firing: 'firing', tr_escalated: 'escalated', tr_eased: 'eased',
    tr_reminder: 'reminder', tr_resolved: 'resolved', tr_done: 'done',
    ms_yes: 'Reached', ms_no: 'Not reached', ms_reached: 'reached', ceil_kept: 'Within ceiling',
    ceil_broken: 'Over ceiling', ceiling: 'Ceiling', target_short: 'target',
    indicators_done: 'indicators done', indicators: 'Indicators', unit_kind: 'Unit kind',
    err_offline: 'Cannot reach the tiendo server. The page reloads by itself once it can.',
    err_forbidden: 'This account may not see this.', err_notfound: 'Not found.',
    err_unavailable: 'The server cannot read its data just now; try again later.',
    err_other: 'The server refused the request',
    uk_province: 'Province', uk_district: 'District', uk_town: 'Town', uk_commune: 'Commune', uk_ward: 'Ward',
    uk_department: 'Department', uk_village: 'Village', uk_party_committee: 'Party committee',
  },
};
const STATUSES = ['done', 'on_track', 'lagging', 'critical', 'overdue', 'missing_report', 'silent', 'not_started'];

const S = {
  dash: null, lang: 'vi', units: [], unitBy: {}, tasks: [], taskBy: {},
  es: null, render: null, onTally: null, onAlert: null, charts: [],
  activeAlerts: 0, gen: 0,
};

function t(k) { return (I18N[S.lang] && I18N[S.lang][k]) || I18N.vi[k] || k; }
function stName(s) { return I18N[S.lang]['st_' + s] || s; }
function stClass(s) { return STATUSES.includes(s) ? 'st-' + s : 'st-unknown'; }

/* el('td', {class: 'x', 'data-a': 1}, 'text', child...) */
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'onclick' || k === 'onchange') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

/* Errors carry .status (0: the server could not be reached) and .detail,
 * the server's own sentence (English), shown only as a tooltip. */
async function api(path) {
  let r;
  try {
    r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch (e) {
    const err = new Error(t('err_offline')); err.status = 0; err.detail = path + ': ' + e.message; throw err;
  }
  if (r.status === 401) { const e = new Error('login'); e.login = true; throw e; }
  if (!r.ok) {
    let msg = r.status + ' ' + r.statusText;
    try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
    const e = new Error(r.status === 403 ? t('err_forbidden') : r.status === 404 ? t('err_notfound')
      : r.status === 503 ? t('err_unavailable') : t('err_other') + ' (' + r.status + ').');
    e.status = r.status; e.detail = path + ': ' + msg;
    throw e;
  }
  return r.json();
}

const locale = () => (S.lang === 'en' ? 'en-GB' : 'vi-VN');
function fmtNum(s, digits) {
  const n = Number(s);
  if (!isFinite(n)) return String(s);
  return n.toLocaleString(locale(), { maximumFractionDigits: digits === undefined ? 3 : digits });
}
function fmtPct(x) { return x === null || x === undefined ? '' : fmtNum(x, 1) + '%'; }
function fmtDate(iso, withTime) {
  if (!iso) return '';
  const d = new Date(iso);
  const o = { timeZone: S.dash.timezone, day: '2-digit', month: '2-digit', year: 'numeric' };
  if (withTime) { o.hour = '2-digit'; o.minute = '2-digit'; }
  return d.toLocaleString(locale(), o);
}
/* A YYYY-MM-DD date of the page's own (at=) as dd/mm/yyyy. */
function fmtDay(ymd) { const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || ''); return m ? m[3] + '/' + m[2] + '/' + m[1] : ''; }
function unitKind(k) { return I18N[S.lang]['uk_' + String(k).replace(/-/g, '_')] || k; }

/* How a task's numbers read, by its kind (README "Kinds of indicator"):
 * a rate (and a level in %) as a percentage against its target, a
 * milestone as reached or not, a ceiling as kept or broken, a group as
 * its indicators; a quantity as percent done and actual/target. */
function taskOf(code) { return S.taskBy[code] || { code, title: code, measure: '', kind: 'quantity' }; }
function isPct(tk) { return tk.kind === 'rate' || ((tk.kind === 'level' || tk.kind === 'ceiling') && tk.measure === '%'); }
function fmtVal(tk, x) {
  if (x === null || x === undefined || x === '') return '';
  return isPct(tk) ? fmtNum(x, 1) + '%' : fmtNum(x);
}
function fmtTarget(tk, x) {
  const v = fmtVal(tk, x);
  if (tk.kind === 'ceiling' || tk.hold === 'at_most') return '≤ ' + v;
  if (tk.kind === 'level' || tk.hold) return '≥ ' + v;
  return v;
}
function reached(c) { return Number(c.actual) >= Number(c.target) && Number(c.target) > 0; }
/* The actual of a row or a cell, as its kind reads; with its measure
 * when withMeasure. */
function fmtActual(tk, c, withMeasure) {
  if (tk.kind === 'group') return groupDone(c);
  if (tk.kind === 'milestone' && !c.rollup) return reached(c) ? t('ms_yes') : t('ms_no');
  const v = fmtVal(tk, c.actual) + (withMeasure && tk.measure && !isPct(tk) ? ' ' + tk.measure : '');
  if (tk.kind === 'ceiling') return v + ' (' + (Number(c.actual) <= Number(c.target) ? t('ceil_kept') : t('ceil_broken')).toLowerCase() + ')';
  return v;
}
function groupDone(c) {
  const ind = c.indicators || [];
  return ind.filter(i => i.status === 'done').length + '/' + ind.length + ' ' + t('indicators_done');
}
/* A percentage done only where it means one: not for a ceiling, a group or one unit's milestone. */
function fmtDone(tk, c) {
  if (tk.kind === 'ceiling' || tk.kind === 'group' || (tk.kind === 'milestone' && !c.rollup)) return '—';
  return fmtPct(c.percent);
}
function fmtExpected(tk, c) { return tk.kind === 'ceiling' || tk.kind === 'group' ? '—' : fmtPct(c.expected); }
/* A cell's two lines. */
function cellText(tk, c) {
  switch (tk.kind) {
  case 'group': {
    const ind = c.indicators || [];
    return [ind.filter(i => i.status === 'done').length + '/' + ind.length, t('indicators_done')];
  }
  case 'milestone':
    return c.rollup ? [fmtNum(c.actual) + '/' + fmtNum(c.target), t('ms_reached')] : [reached(c) ? t('ms_yes') : t('ms_no'), ''];
  case 'ceiling': {
    const kept = Number(c.actual) <= Number(c.target);
    return [kept ? t('ceil_kept') : t('ceil_broken'), fmtVal(tk, c.actual) + (kept ? ' ≤ ' : ' > ') + fmtVal(tk, c.target)];
  }
  case 'rate': case 'level':
    return [fmtVal(tk, c.actual), (tk.kind === 'level' || tk.hold ? '' : t('target_short') + ' ') + fmtTarget(tk, c.target)];
  default:
    return [fmtPct(c.percent), fmtNum(c.actual) + '/' + fmtNum(c.target)];
  }
}

function q(hash) {
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}
function enc(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) p.set(k, v);
  const s = p.toString();
  return s ? '?' + s : '';
}
function statusPill(s) { return el('span', { class: 'pill ' + stClass(s) }, stName(s)); }

/* Calls fn at most once per `ms`, the last call winning. */
function throttle(fn, ms) {
  let timer = null, last = 0;
  return () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
  };
}

function showError(e) {
  const app = document.getElementById('app');
  app.replaceChildren(el('div', { class: 'error', id: 'error', 'data-status': e.status === undefined ? '' : e.status,
    title: e.detail || null }, t('error') + ': ' + e.message));
  document.body.dataset.view = 'error';
  document.body.dataset.ready = String(Date.now());
}

/* ---------- overview ---------- */

/* replaceChildren with the null and false of conditionals left out, by the
 * view of route number `gen` (S.gen when the view began): a view still
 * loading when another route began (a live refresh of the page the user
 * just left) must not replace the newer one; it stops there. */
function mount(gen, ...kids) {
  if (gen !== S.gen) { const e = new Error('stale'); e.stale = true; throw e; }
  document.getElementById('app').replaceChildren(...kids.flat().filter(k => k !== null && k !== false && k !== undefined));
}

async function viewOverview(params) {
  const gen = S.gen;
  /* One root (a district, a province): start from it and its children. */
  const roots = S.units.filter(u => !u.parent);
  const unit = params.get('unit') || (roots.length === 1 ? roots[0].code : ''), page = params.get('page') || '0';
  const status = params.get('status') || '', sort = params.get('sort') || 'tree';
  const at = params.get('at') || '', task = params.get('task') || '', owner = params.get('owner') || '';
  const atq = enc({ at: at ? at + 'T23:59:59' : '' });  /* as of the end of that day */
  const g = await api('/v1/grid' + enc({ unit, page, status, sort: sort === 'tree' ? '' : sort,
    at: at ? at + 'T23:59:59' : '' }));
  const tasks = g.tasks.filter(c => (!task || c === task) &&
    (!owner || (S.taskBy[c] && S.taskBy[c].owner === owner)));
  const go = (changes) => {
    const p = { unit, status, sort, at, task, owner, page: 0, ...changes };
    location.hash = '#/' + enc(p);
  };
  const sel = (name, value, options) => el('select', { name, onchange: e => go({ [name]: e.target.value }) },
    options.map(([v, label]) => el('option', { value: v, selected: v === value }, label)));
  const owners = [...new Set(S.tasks.map(x => x.owner).filter(Boolean))];
  const controls = el('div', { class: 'controls' },
    el('label', {}, t('unit'), sel('unit', unit, [['', t('all')], ...S.units.map(u =>
      [u.code, '\u00a0'.repeat(u.depth * 2) + u.name])])),
    el('label', {}, t('task'), sel('task', task, [['', t('all')], ...S.tasks.map(x => [x.code, x.title])])),
    el('label', {}, t('owner'), sel('owner', owner, [['', t('all')], ...owners.map(o =>
      [o, (S.unitBy[o] || {}).name || o])])),
    el('label', {}, t('status'), sel('status', status, [['', t('all')], ...STATUSES.map(s => [s, stName(s)])])),
    el('label', {}, t('sort'), sel('sort', sort, [['tree', t('sort_tree')], ['name', t('sort_name')],
      ['worst', t('sort_worst')]])),
    el('label', {}, t('at'), el('input', { type: 'date', name: 'at', value: at,
      onchange: e => go({ at: e.target.value }) })));
  const head = el('tr', {}, el('th', {}, t('unit')), tasks.map(c => {
    const tk = S.taskBy[c] || { title: c, measure: '' };
    return el('th', { class: 'task', title: tk.title },
      el('a', { href: '#/task/' + encodeURIComponent(c) }, tk.title), el('br'),
      el('span', { class: 'muted' }, tk.measure));
  }));
  const row = (r, isHead) => el('tr', { class: isHead ? 'head' : null, 'data-unit': r.unit },
    el('td', { class: 'unitname' }, '\u00a0'.repeat(isHead ? 0 : 2),
      r.children && !isHead ? el('a', { href: '#/' + enc({ unit: r.unit, task, owner, at }),
        title: t('children') }, r.unit_name + ' ▸') : r.unit_name, ' ',
      el('a', { href: '#/unit/' + encodeURIComponent(r.unit), class: 'muted small', title: t('open_unit') }, '[' + t('open_unit').toLowerCase() + ']')),
    tasks.map(c => cell(c, r.unit, r.cells[c])));
  const countsRow = el('tr', { class: 'counts' }, el('td', { class: 'unitname muted' }, t('counts')),
    tasks.map(c => el('td', { 'data-counts': c }, STATUSES.filter(s => (g.counts[c] || {})[s]).map(s =>
      el('span', { class: 'pill ' + stClass(s), title: stName(s) }, g.counts[c][s])))));
  const body = el('tbody', {}, g.head ? row(g.head, true) : null, g.rows.map(r => row(r, false)), countsRow);
  const pager = el('div', { class: 'pager' },
    el('button', { disabled: Number(page) <= 0, onclick: () => go({ page: Number(page) - 1 }) }, t('prev')),
    el('span', {}, t('page') + ' ' + (Number(page) + 1) + '/' + g.pages + ' (' + g.total + ')'),
    el('button', { disabled: Number(page) + 1 >= g.pages, onclick: () => go({ page: Number(page) + 1 }) }, t('next')));
  const legend = el('p', { class: 'legend' }, STATUSES.map(statusPill));
  mount(gen,
    el('h1', {}, t('nav_overview'), at ? ' — ' + t('as_of') + ' ' + fmtDay(at) : ''), controls, legend,
    el('div', { class: 'scroll' }, el('table', { class: 'grid', id: 'grid' }, el('thead', {}, head), body)),
    g.pages > 1 ? pager : null,
    el('p', { class: 'noprint' }, t('export') + ': ',
      el('a', { href: '/v1/export/tallies.csv' + atq }, 'CSV'), ' · ',
      el('a', { href: '/v1/export/tallies.xlsx' + atq }, 'XLSX')));
  if (at) return;  /* the past does not change */
  const refresh = throttle(() => route(true), 3000);
  S.onTally = (ev) => {
    for (const r of ev.rows || []) {
      const c = document.querySelector(`td.cell[data-task="${CSS.escape(r.task)}"][data-unit="${CSS.escape(r.unit)}"][data-rollup="0"]`);
      if (c) c.replaceWith(cell(r.task, r.unit, { ...r, rollup: false }, true));
    }
    refresh();  /* the roll-ups and counts */
  };
}

function cell(task, unit, c, flash) {
  if (!c) return el('td', { class: 'cell empty' }, '');
  const tk = taskOf(task), [main, sub] = cellText(tk, c);
  const title = tk.kind === 'group'
    ? stName(c.status) + ' — ' + (c.indicators || []).map(i => taskOf(i.task).title + ': ' + stName(i.status)).join('; ')
    : stName(c.status) + (tk.kind === 'ceiling' ? '' : ' — ' + t('expected') + ' ' + fmtPct(c.expected));
  return el('td', {
    class: 'cell ' + stClass(c.status) + (flash ? ' flash' : ''), 'data-task': task, 'data-unit': unit,
    'data-actual': c.actual, 'data-status': c.status, 'data-rollup': c.rollup ? 1 : 0, 'data-kind': tk.kind, title,
  }, main, sub ? el('small', {}, sub) : null);
}

/* ---------- a task ---------- */

function projected(row, task) {
  // only a quantity grows toward its target at a pace; a rate, a level, a
  // milestone or a ceiling has no finish to project
  if ((task.kind || 'quantity') !== 'quantity') return el('span', { class: 'muted' }, '—');
  // a unit with a schedule of its own is late against its own deadline
  const start = Date.parse(task.start), now = Date.now();
  const deadline = Date.parse(row.schedule ? row.schedule.deadline : task.deadline);
  const actual = Number(row.actual), target = Number(row.target);
  if (actual >= target) return el('span', {}, t('finished'));
  if (!(actual > 0) || now <= start) return el('span', { class: 'muted' }, t('no_data'));
  const finish = start + (target / actual) * (now - start);
  const late = finish > deadline;
  return el('span', { class: late ? 'late' : null, 'data-late': late ? 1 : 0 },
    fmtDate(new Date(finish).toISOString()), late ? ' — ' + t('will_not_finish') : '');
}

function burnup(canvas, s, title, tk) {
  const ceiling = tk && tk.kind === 'ceiling';  /* lower is better: no pace, a ceiling */
  const pts = s.points.map(p => ({ x: Date.parse(p.at), y: Number(p.actual) }));
  const exp = s.points.map(p => ({ x: Date.parse(p.at), y: p.expected }));
  const start = Date.parse(s.start), deadline = Date.parse(s.deadline), target = Number(s.target);
  canvas.dataset.lastActual = s.points.length ? s.points[s.points.length - 1].actual : '';
  canvas.dataset.target = s.target;
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: t('chart_actual'), data: pts, borderColor: '#0b57a4', backgroundColor: 'rgba(11,87,164,.12)',
          fill: true, pointRadius: 0, borderWidth: 2, tension: 0 },
        ceiling ? null : { label: t('chart_expected'), data: exp, borderColor: '#e0533d', borderDash: [6, 4],
          pointRadius: 0, borderWidth: 1.5 },
        { label: ceiling ? t('ceiling') : t('chart_target'), data: [{ x: start, y: target }, { x: deadline, y: target }],
          borderColor: '#1f7a3a', pointRadius: 0, borderWidth: 1 },
        { label: t('chart_deadline'), data: [{ x: deadline, y: 0 }, { x: deadline, y: target }],
          borderColor: '#8f1d14', borderWidth: 1, pointRadius: 0, borderDash: [2, 3] },
      ].filter(Boolean),
    },
    options: {
      animation: false, maintainAspectRatio: false, locale: locale(), parsing: false, normalized: true,
      plugins: { title: { display: !!title, text: title }, legend: { position: 'bottom' },
        tooltip: { callbacks: { title: items => items.length ? fmtDate(new Date(items[0].parsed.x).toISOString()) : '' } } },
      scales: {
        x: { type: 'linear', min: start, max: Math.max(deadline, pts.length ? pts[pts.length - 1].x : deadline),
          ticks: { maxTicksLimit: 8, callback: v => fmtDate(new Date(v).toISOString()) } },
        y: { beginAtZero: true, title: { display: true, text: s.measure } },
      },
    },
  });
  S.charts.push(chart);
  return chart;
}

/* A task of several indicators: no chart of its own (README: a group has
 * no measure, schedule or targets); its indicators, and each unit's status
 * by the group's rule with its indicators' numbers. */
async function viewGroup(task) {
  const gen = S.gen;
  const tallies = await api('/v1/tallies' + enc({ task: task.code }));
  const inds = task.indicators || [];
  mount(gen,
    el('h1', {}, task.title),
    el('p', { class: 'muted' }, t('owner') + ': ' + (task.owner_name || '—')),
    el('h2', {}, t('indicators')),
    el('ul', { id: 'group-indicators' }, inds.map(c => el('li', {},
      el('a', { href: '#/task/' + encodeURIComponent(c) }, taskOf(c).title)))),
    el('h2', {}, t('unit')),
    el('div', { class: 'scroll' }, el('table', { id: 'task-units' },
      el('thead', {}, el('tr', {}, [t('unit'), t('status'), ...inds.map(c => taskOf(c).title)].map(h => el('th', {}, h)))),
      el('tbody', {}, tallies.tallies.map(r => el('tr', { 'data-unit': r.unit, 'data-rollup': r.rollup ? 1 : 0 },
        el('td', {}, '\u00a0'.repeat(r.depth * 2), r.rollup ? t('rollup_of') + ' ' + r.unit_name : r.unit_name),
        el('td', {}, statusPill(r.status)),
        inds.map(c => {
          const i = (r.indicators || []).find(x => x.task === c);
          if (!i) return el('td', {}, '');
          const [main, sub] = cellText(taskOf(c), { ...i, rollup: r.rollup });
          return el('td', { class: 'num' }, statusPill(i.status), ' ', main, sub ? ' (' + sub + ')' : '');
        })))))));
  const refresh = throttle(() => route(true), 2000);
  S.onTally = (ev) => { if (ev.many || (ev.rows || []).some(x => inds.includes(x.task))) refresh(); };
}

async function viewTask(code, params) {
  const gen = S.gen;
  const task = S.taskBy[code];
  if (!task) { const e = new Error(t('err_notfound')); e.status = 404; e.detail = t('task') + ' ' + code; throw e; }
  if (task.kind === 'group') return viewGroup(task);
  const pick = params.get('unit') || '';
  const [tallies, series] = await Promise.all([
    api('/v1/tallies' + enc({ task: code })), api('/v1/series' + enc({ task: code })),
  ]);
  const rows = tallies.tallies;
  const tb = el('tbody', {}, rows.map(r => el('tr', {
    class: 'pick' + (r.unit === pick && !r.rollup ? ' picked' : ''), 'data-unit': r.unit, 'data-rollup': r.rollup ? 1 : 0,
    onclick: () => { location.hash = '#/task/' + encodeURIComponent(code) + enc({ unit: r.unit }); },
  },
  el('td', {}, '\u00a0'.repeat(r.depth * 2), r.rollup ? t('rollup_of') + ' ' + r.unit_name + ' (' + r.units + ')' : r.unit_name),
  el('td', { class: 'num', 'data-actual': r.actual }, fmtActual(task, r)), el('td', { class: 'num' }, fmtTarget(task, r.target)),
  el('td', { class: 'num' }, fmtDone(task, r)), el('td', { class: 'num' }, fmtExpected(task, r)),
  el('td', {}, statusPill(r.status)), el('td', {}, projected(r, task)))));
  if (gen === S.gen) { S.charts.forEach(c => c.destroy()); S.charts = []; }
  const c1 = el('canvas', { id: 'chart-rollup' });
  const c2 = pick ? el('canvas', { id: 'chart-unit' }) : null;
  mount(gen,
    el('h1', {}, task.title),
    el('p', { class: 'muted' }, t('owner') + ': ' + (task.owner_name || '—') + ' · ' + t('measure') + ': ' + task.measure +
      ' · ' + t('start') + ' ' + fmtDate(task.start) + ' · ' + t('deadline') + ' ' + fmtDate(task.deadline) +
      ' · ' + t('target') + ' ' + fmtTarget(task, task.target_total)),
    el('div', { class: 'cards' },
      el('div', { class: 'chartbox' }, c1),
      c2 ? el('div', { class: 'chartbox' }, c2) : el('div', { class: 'card muted' }, t('pick_unit'))),
    el('h2', {}, t('unit')),
    el('div', { class: 'scroll' }, el('table', { id: 'task-units' }, el('thead', {}, el('tr', {},
      [t('unit'), t('actual'), t('target'), t('percent'), t('expected'), t('status'), t('projected')].map(h =>
        el('th', {}, h)))), tb)));
  burnup(c1, series, t('rollup_of') + ' — ' + (tallies.plan || ''), task);
  if (c2) {
    const s2 = await api('/v1/series' + enc({ task: code, unit: pick }));
    burnup(c2, s2, (S.unitBy[pick] || {}).name || pick, task);
  }
  const refresh = throttle(() => route(true), 2000);
  S.onTally = (ev) => { if (ev.many || (ev.rows || []).some(r => r.task === code)) refresh(); };
}

/* ---------- a unit ---------- */

async function viewUnit(code) {
  const gen = S.gen;
  const u = S.unitBy[code];
  if (!u) { const e = new Error(t('err_notfound')); e.status = 404; e.detail = t('unit') + ' ' + code; throw e; }
  const [tallies, alerts, reports] = await Promise.all([
    api('/v1/tallies' + enc({ unit: code })), api('/v1/alerts'), api('/v1/reports' + enc({ unit: code, order: 'newest', limit: 30 })),
  ]);
  const mine = tallies.tallies.filter(r => r.unit === code);
  const act = alerts.alerts.filter(a => a.unit === code);
  mount(gen,
    el('h1', {}, u.name),
    el('p', { class: 'muted' }, t('unit_kind') + ': ' + unitKind(u.kind) + (u.parent ? ' · ' + t('parent') + ': ' : ''),
      u.parent ? el('a', { href: '#/unit/' + encodeURIComponent(u.parent) }, (S.unitBy[u.parent] || {}).name || u.parent) : ''),
    el('h2', {}, t('tasks_of_unit')),
    el('div', { class: 'scroll' }, el('table', { id: 'unit-tasks' },
      el('thead', {}, el('tr', {}, [t('task'), t('actual'), t('target'), t('percent'), t('expected'), t('status'),
        t('last_report')].map(h => el('th', {}, h)))),
      el('tbody', {}, mine.map(r => el('tr', { 'data-task': r.task },
        el('td', {}, el('a', { href: '#/task/' + encodeURIComponent(r.task) + enc({ unit: r.rollup ? '' : code }) },
          r.task_title), r.rollup ? ' (' + t('rollup_of') + ' ' + r.units + ')' : ''),
        el('td', { class: 'num', 'data-actual': r.actual }, fmtActual(taskOf(r.task), r, true)),
        el('td', { class: 'num' }, fmtTarget(taskOf(r.task), r.target)), el('td', { class: 'num' }, fmtDone(taskOf(r.task), r)),
        el('td', { class: 'num' }, fmtExpected(taskOf(r.task), r)), el('td', {}, statusPill(r.status)),
        el('td', {}, fmtDate(r.last_report, true))))))),
    el('h2', {}, t('active_alerts')), alertTable(act, 'unit-alerts'),
    el('h2', {}, t('latest_reports')),
    reports.reports.length ? el('div', { class: 'scroll' }, el('table', { id: 'unit-reports' },
      el('thead', {}, el('tr', {}, [t('observed'), t('task'), t('value'), t('reporter'), t('note')].map(h => el('th', {}, h)))),
      el('tbody', {}, reports.reports.map(r => el('tr', {},
        el('td', {}, fmtDate(r.observed_at, true)),
        el('td', {}, (S.taskBy[r.task] || {}).title || r.task),
        el('td', { class: 'num' }, r.kind === 'correction' ? t('correction') + ' #' + r.voids_seq
          : (r.kind === 'add' ? '+' : '=') + fmtNum(r.value), r.voided_by ? ' (' + t('voided') + ')' : ''),
        el('td', {}, r.reporter || r.client), el('td', {}, r.note)))))) : el('p', { class: 'muted' }, t('none')));
  const refresh = throttle(() => route(true), 2000);
  S.onTally = (ev) => { if (ev.many || (ev.rows || []).some(r => r.unit === code)) refresh(); };
  S.onAlert = (a) => { if (a.unit === code) refresh(); };
}

/* ---------- alerts ---------- */

function alertTable(list, id) {
  if (!list.length) return el('p', { class: 'muted', id }, t('none'));
  return el('div', { class: 'scroll' }, el('table', { id },
    el('thead', {}, el('tr', {}, [t('severity'), t('unit'), t('task'), t('message'), t('since')].map(h => el('th', {}, h)))),
    el('tbody', {}, list.map(a => el('tr', { 'data-seq': a.seq, 'data-unit': a.unit, 'data-task': a.task },
      el('td', { class: 'sev-' + a.severity }, t('sev_' + a.severity)),
      el('td', {}, el('a', { href: '#/unit/' + encodeURIComponent(a.unit) }, a.unit_name)),
      el('td', {}, el('a', { href: '#/task/' + encodeURIComponent(a.task) }, a.task_title)),
      el('td', {}, a.message), el('td', {}, fmtDate(a.since, true)))))));
}

function eventRow(a) {
  return el('tr', { 'data-seq': a.seq },
    el('td', {}, fmtDate(a.at, true)), el('td', {}, t('tr_' + a.transition)),
    el('td', { class: 'sev-' + a.severity }, t('sev_' + a.severity)), el('td', {}, a.message));
}

async function viewAlerts() {
  const gen = S.gen;
  const active = await api('/v1/alerts');
  const since = Math.max(0, active.seq - 50);
  const hist = await api('/v1/alerts/history' + enc({ since, limit: 50 }));
  const events = el('tbody', { id: 'events' }, hist.alerts.slice().reverse().map(eventRow));
  mount(gen,
    el('h1', {}, t('nav_alerts')),
    el('h2', {}, t('active_alerts') + ' (' + active.alerts.length + ')'), alertTable(active.alerts, 'active-alerts'),
    el('h2', {}, t('recent_events')),
    el('div', { class: 'scroll' }, el('table', { id: 'alert-events' }, el('thead', {}, el('tr', {},
      [t('when'), t('transition'), t('severity'), t('message')].map(h => el('th', {}, h)))), events)));
  const refresh = throttle(() => route(true), 1000);
  S.onAlert = (a) => {
    if (!document.querySelector(`#events tr[data-seq="${a.seq}"]`)) events.prepend(eventRow(a));
    refresh();
  };
}

/* ---------- ranking ---------- */

function rankingTables(r, limit) {
  return r.kinds.map(k => el('div', {},
    el('h2', {}, t('unit_kind') + ': ' + unitKind(k.kind)),
    el('div', { class: 'scroll' }, el('table', { class: 'ranking', 'data-kind': k.kind },
      el('thead', {}, el('tr', {}, [t('rank'), t('unit'), t('score'), t('tasks_n'), t('done_n'), t('behind_n')].map((h, i) =>
        el('th', { class: i === 1 ? null : 'num' }, h)))),
      el('tbody', {}, k.rows.slice(0, limit || k.rows.length).map(x => el('tr', { 'data-unit': x.unit },
        el('td', { class: 'num' }, x.rank),
        el('td', {}, el('a', { href: '#/unit/' + encodeURIComponent(x.unit) }, x.unit_name)),
        el('td', { class: 'num', 'data-score': x.score }, fmtNum(x.score, 1)),
        el('td', { class: 'num' }, x.tasks), el('td', { class: 'num' }, x.done),
        el('td', { class: 'num' }, x.behind))))))));
}

async function viewRanking() {
  const gen = S.gen;
  const r = await api('/v1/ranking');
  mount(gen,
    el('h1', {}, t('nav_ranking')),
    el('div', { class: 'rule', id: 'rule' }, el('strong', {}, t('rule') + ': '), r.rule),
    rankingTables(r),
    el('p', { class: 'noprint' }, t('export') + ': ', el('a', { href: '/v1/export/ranking.csv' }, 'CSV'), ' · ',
      el('a', { href: '/v1/export/ranking.xlsx' }, 'XLSX')));
  const refresh = throttle(() => route(true), 5000);
  S.onTally = refresh;
}

/* ---------- weekly report (printable) ---------- */

async function viewReport() {
  const gen = S.gen;
  const [g, active, r] = await Promise.all([api('/v1/grid' + enc({ size: 1 })), api('/v1/alerts'), api('/v1/ranking')]);
  const root = g.head || g.rows[0];
  const now = new Date().toISOString();
  mount(gen,
    el('div', { class: 'noprint controls' }, el('button', { onclick: () => window.print(), id: 'print' }, t('print'))),
    el('h1', {}, t('weekly_title')),
    el('p', {}, S.dash.plan, el('br'), t('as_of') + ' ' + fmtDate(now, true)),
    el('h2', {}, t('summary')),
    el('table', { id: 'report-summary' },
      el('thead', {}, el('tr', {}, [t('task'), t('actual'), t('target'), t('percent'), t('expected'), t('status'),
        t('counts')].map(h => el('th', {}, h)))),
      el('tbody', {}, g.tasks.map(c => {
        const x = root && root.cells[c], tk = taskOf(c);
        if (!x) return null;
        return el('tr', { 'data-task': c }, el('td', {}, tk.title),
          el('td', { class: 'num' }, fmtActual(tk, x, true)),
          el('td', { class: 'num' }, tk.kind === 'group' ? '' : fmtTarget(tk, x.target)), el('td', { class: 'num' }, fmtDone(tk, x)),
          el('td', { class: 'num' }, fmtExpected(tk, x)), el('td', {}, statusPill(x.status)),
          el('td', {}, STATUSES.filter(s => (g.counts[c] || {})[s]).map(s =>
            el('span', { class: 'pill ' + stClass(s) }, stName(s) + ' ' + g.counts[c][s]))));
      }))),
    el('h2', {}, t('active_alerts') + ' (' + active.alerts.length + ')'),
    alertTable(active.alerts.filter(a => a.severity === 'critical').slice(0, 40), 'report-alerts'),
    el('h2', {}, t('top_units')), el('p', { class: 'muted' }, r.rule), rankingTables(r, 10));
}

/* ---------- live ---------- */

function setLive(on) {
  const e = document.getElementById('live');
  e.className = 'live ' + (on ? 'on' : 'off');
  document.getElementById('live-text').textContent = on ? t('live_on') : t('live_off');
}

function setAlertCount(n) {
  S.activeAlerts = n;
  document.getElementById('alert-count').textContent = String(n);
}

function connect() {
  /* EventSource resends Last-Event-ID by itself when it reconnects; the
   * server replays what was missed, or says "reset". */
  const es = new EventSource('/v1/stream');
  S.es = es;
  /* Back after an outage: a page that could only show the error reloads. */
  es.onopen = () => { setLive(true); if (document.body.dataset.view === 'error') loadMeta().then(() => route(true)).catch(() => {}); };
  es.onerror = () => setLive(false);
  es.addEventListener('hello', () => setLive(true));
  es.addEventListener('reset', () => { loadMeta().then(() => route(true)); });
  es.addEventListener('tally', (m) => {
    const ev = JSON.parse(m.data);
    document.body.dataset.tallySeq = ev.seq;
    if (S.onTally) S.onTally(ev);
  });
  const alertCount = throttle(() => api('/v1/alerts').then(a => setAlertCount(a.alerts.length)).catch(() => {}), 1000);
  es.addEventListener('alert', (m) => {
    const a = JSON.parse(m.data);
    document.body.dataset.alertSeq = a.seq;
    alertCount();
    if (S.onAlert) S.onAlert(a);
  });
}

/* ---------- routing ---------- */

async function route(again) {
  const gen = ++S.gen;
  const hash = location.hash || '#/';
  const path = hash.split('?')[0].slice(1);
  const params = q(hash);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const name = parts[0] || 'overview';
  S.onTally = null; S.onAlert = null;
  document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', a.dataset.nav === name));
  if (!again) { S.charts.forEach(c => c.destroy()); S.charts = []; }
  try {
    if (name === 'task') await viewTask(parts[1], params);
    else if (name === 'unit') await viewUnit(parts[1]);
    else if (name === 'alerts') await viewAlerts();
    else if (name === 'ranking') await viewRanking();
    else if (name === 'report') await viewReport();
    else await viewOverview(params);
    if (gen !== S.gen) return;
    document.body.dataset.view = name;
    document.body.dataset.ready = String(Date.now());
  } catch (e) {
    if (e.stale || gen !== S.gen) return;  /* a newer route shows its view */
    if (e.login) showLogin(); else showError(e);
  }
}

async function loadMeta() {
  const [units, tasks] = await Promise.all([api('/v1/units'), api('/v1/tasks')]);
  S.units = units.units; S.unitBy = Object.fromEntries(S.units.map(u => [u.code, u]));
  S.tasks = tasks.tasks; S.taskBy = Object.fromEntries(S.tasks.map(x => [x.code, x]));
}

function showLogin(msg) {
  const name = el('input', { name: 'name', id: 'login-name', autocomplete: 'username', required: true });
  const pw = el('input', { name: 'password', id: 'login-password', type: 'password',
    autocomplete: 'current-password', required: true });
  const err = el('p', { class: 'error', id: 'login-error', hidden: !msg }, msg || '');
  const form = el('form', { class: 'card', id: 'login' },
    el('h1', {}, t('login')), err,
    el('p', {}, el('label', {}, t('name'), el('br'), name)),
    el('p', {}, el('label', {}, t('password'), el('br'), pw)),
    el('button', { type: 'submit', id: 'login-submit' }, t('login')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await fetch('/login', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: name.value, password: pw.value }) });
    if (r.ok) location.reload();
    else { err.hidden = false; err.textContent = r.status === 429 ? (await r.json()).error : t('login_failed'); }
  });
  document.getElementById('app').replaceChildren(form);
  document.body.dataset.view = 'login';
}

async function logout() {
  await fetch('/logout', { method: 'POST', credentials: 'same-origin' });
  location.reload();
}

async function main() {
  try {
    S.dash = await api('/v1/dashboard');
    S.lang = S.dash.language === 'en' ? 'en' : 'vi';
    document.documentElement.lang = S.lang;
    document.title = 'tiendo — ' + S.dash.plan;
    document.getElementById('plan-name').textContent = S.dash.plan || 'tiendo';
    const foot = document.getElementById('foot');
    foot.replaceChildren('tiendo ' + S.dash.version,
      S.dash.account ? el('span', {}, ' · ' + S.dash.account + ' (' + S.dash.scope + ') · ',
        el('a', { href: '#', id: 'logout', onclick: (e) => { e.preventDefault(); logout(); } }, t('logout'))) : '');
    document.querySelectorAll('[data-i18n]').forEach(e => { e.textContent = t(e.dataset.i18n); });
    setLive(false);
    connect();
    await loadMeta();
    api('/v1/alerts').then(a => setAlertCount(a.alerts.length)).catch(() => {});
  } catch (e) {
    if (e.login) showLogin(); else showError(e);
    return;
  }
  window.addEventListener('hashchange', () => route(false));
  route(false);
}

main();
