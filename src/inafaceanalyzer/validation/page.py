"""``annotate.html``: one self-contained page to label a validation sample in a browser.

Thumbnails are embedded as ``data:`` URIs, script and style are inline, and a strict
Content-Security-Policy (``default-src 'none'``) forbids any request. Keyboard first:
``f``/``m``/``u`` (can't tell)/``x`` (not a face), digit keys for the age bracket
(``0``: can't tell), arrows to move, ``p`` shows the prediction (hidden by default), ``s``
saves. Items come in an order shuffled once per browser; answers, order and annotator name
are kept in the browser's local storage (keyed by the sample's id) across reloads.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "form-action 'none'; base-uri 'none'")


@dataclass(frozen=True)
class PageItem:
    sample_id: str
    image: bytes | None  # JPEG
    predicted: str  # e.g. "f, 35-49" (shown only on request)
    where: str  # source and time, shown small


STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 0; background: #f4f4f4; color: #222; }
header { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #222; color: #eee;
         flex-wrap: wrap; }
header h1 { font-size: 1.05rem; margin: 0; }
header input { font: inherit; padding: .1rem .3rem; width: 10em; }
header button { font: inherit; padding: .2rem .8rem; cursor: pointer; }
#bar { flex: 1; min-width: 120px; height: 8px; background: #555; border-radius: 4px; overflow: hidden; }
#fill { height: 100%; background: #4caf50; width: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; display: grid; grid-template-columns: 1fr 320px;
       gap: 1rem; }
#stage { background: #fff; border: 1px solid #ddd; min-height: 260px; display: flex; align-items: center;
         justify-content: center; padding: .5rem; }
#stage img { max-width: 100%; height: min(340px, 55vh); object-fit: contain; }
#panel { background: #fff; border: 1px solid #ddd; padding: .8rem; font-size: .92rem; }
.keys kbd { display: inline-block; min-width: 1.6em; text-align: center; border: 1px solid #999;
            border-radius: 3px; padding: 0 .25rem; background: #f7f7f7; font-family: monospace; }
.choice { padding: .15rem .3rem; border-radius: 3px; }
.choice.on { background: #0072B2; color: #fff; }
#answer { font-size: 1.1rem; margin: .4rem 0; min-height: 1.6em; }
#pred { color: #a33; min-height: 1.3em; }
#where { color: #777; font-size: .8rem; overflow-wrap: anywhere; }
#done { color: #2e7d32; font-weight: 600; }
"""

SCRIPT = r"""
(function () {
  const D = JSON.parse(document.getElementById('data').textContent);
  const KEY = 'inaface-validation:' + D.sample;
  let store = null;  // local storage may be refused (private windows, some browsers for file:// pages)
  try { store = window.localStorage; store.setItem(KEY + ':probe', '1'); store.removeItem(KEY + ':probe'); }
  catch (e) { store = null; }
  const st = (store && JSON.parse(store.getItem(KEY) || 'null')) ||
    {answers: {}, pos: 0, order: null, annotator: ''};
  if (!st.order || st.order.length !== D.items.length) {
    st.order = D.items.map((_, i) => i);
    for (let i = st.order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1)); [st.order[i], st.order[j]] = [st.order[j], st.order[i]];
    }
  }
  let showPred = false;
  const $ = id => document.getElementById(id);
  const GENDER = {f: 'woman', m: 'man', u: "can't tell", x: 'not a face'};
  function save() { if (store) store.setItem(KEY, JSON.stringify(st)); }
  function item() { return D.items[st.order[st.pos]]; }
  function complete(a) { return a && (a.gender === 'x' || (a.gender && a.age !== undefined)); }
  function render() {
    const it = item(), a = st.answers[it.id] || {};
    $('img').src = it.img || '';
    $('img').alt = it.img ? 'face ' + it.id : 'no picture for ' + it.id;
    $('pos').textContent = (st.pos + 1) + ' / ' + D.items.length;
    const n = D.items.filter(x => complete(st.answers[x.id])).length;
    $('count').textContent = n + ' labelled';
    $('fill').style.width = (100 * n / D.items.length) + '%';
    $('done').textContent = (n === D.items.length ? 'All items labelled: save labels.csv. ' : '') +
      (store ? '' : 'This browser keeps no answers across reloads here: save before closing.');
    $('answer').textContent = (a.gender ? GENDER[a.gender] : '\u2013') + ', age ' +
      (a.gender === 'x' ? '\u2013' : (a.age === undefined ? '\u2013' : (a.age === '' ? "can't tell" : a.age)));
    document.querySelectorAll('[data-g]').forEach(e => e.classList.toggle('on', e.dataset.g === a.gender));
    document.querySelectorAll('[data-a]').forEach(e => e.classList.toggle('on', e.dataset.a === a.age));
    $('pred').textContent = showPred ? 'predicted: ' + it.pred : '';
    $('where').textContent = it.where;
    $('sid').textContent = it.id;
    $('annotator').value = st.annotator;
  }
  function go(delta) { st.pos = Math.max(0, Math.min(D.items.length - 1, st.pos + delta)); save(); render(); }
  function answer(field, value) {
    const it = item(); const a = st.answers[it.id] = st.answers[it.id] || {};
    const was = complete(a);
    a[field] = value; save();
    // next item once this one is complete; an item being corrected stays (Enter or arrow moves on)
    if (!was && complete(a) && st.pos < D.items.length - 1) go(1); else render();
  }
  function csvCell(s) { s = String(s); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function labelsCsv() {
    const rows = ['sample_id,gender,age_bracket,annotator'];
    D.items.forEach(it => {
      const a = st.answers[it.id];
      if (!a || !a.gender) return;
      rows.push([it.id, a.gender, a.gender === 'x' || a.age === undefined ? '' : a.age, st.annotator]
        .map(csvCell).join(','));
    });
    return rows.join('\n') + '\n';
  }
  function download() {
    const name = 'labels' + (st.annotator ? '-' + st.annotator.replace(/[^A-Za-z0-9_-]+/g, '_') : '') + '.csv';
    const a = document.createElement('a');
    a.href = 'data:text/csv;charset=utf-8,' + encodeURIComponent(labelsCsv());
    a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }
  window.inafaceLabelsCsv = labelsCsv;
  $('save').addEventListener('click', download);
  $('annotator').addEventListener('input', e => { st.annotator = e.target.value.trim(); save(); });
  document.addEventListener('keydown', e => {
    if (e.target.tagName === 'INPUT') { if (e.key === 'Enter' || e.key === 'Escape') e.target.blur(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k in GENDER) answer('gender', k);
    else if (/^[0-9]$/.test(k)) {
      const i = Number(k);
      if (i === 0) answer('age', ''); else if (i <= D.brackets.length) answer('age', D.brackets[i - 1]); else return;
    }
    else if (k === 'arrowleft' || k === 'arrowup' || k === 'backspace') go(-1);
    else if (k === 'arrowright' || k === 'arrowdown' || k === 'enter') go(1);
    else if (k === 'home') go(-D.items.length);
    else if (k === 'end') go(D.items.length);
    else if (k === 'p') { showPred = !showPred; render(); }
    else if (k === 's') download();
    else return;
    e.preventDefault();
  });
  save(); render();
})();
"""


def render_page(items: Sequence[PageItem], brackets: Sequence[str], sample_key: str,
                title: str = "Validation sample") -> str:
    """The annotation page as one HTML string."""
    data = {
        "sample": sample_key,
        "brackets": list(brackets),
        "items": [{"id": it.sample_id, "pred": it.predicted, "where": it.where,
                   "img": ("data:image/jpeg;base64," + base64.b64encode(it.image).decode("ascii")) if it.image else ""}
                  for it in items],
    }
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    genders = "".join(f'<div><kbd>{k}</kbd> <span class="choice" data-g="{k}">{escape(v)}</span></div>'
                      for k, v in (("f", "woman"), ("m", "man"), ("u", "can't tell"), ("x", "not a face")))
    ages = "".join(f'<div><kbd>{i}</kbd> <span class="choice" data-a="{escape(b)}">{escape(b)}</span></div>'
                   for i, b in enumerate(brackets, 1))
    ages += '<div><kbd>0</kbd> <span class="choice" data-a="">can\'t tell</span></div>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body><header><h1>{escape(title)}</h1><span id="pos"></span><div id="bar"><div id="fill"></div></div>
<span id="count"></span><label>annotator <input id="annotator" placeholder="your name" autocomplete="off"></label>
<button id="save" type="button" title="key s">Save labels.csv</button></header>
<main><div id="stage"><img id="img" alt=""></div>
<div id="panel"><div id="answer"></div><div id="pred"></div>
<div class="keys"><p><b>Gender</b></p>{genders}<p><b>Age bracket</b></p>{ages}
<p><kbd>&larr;</kbd> <kbd>&rarr;</kbd> previous / next &nbsp; <kbd>p</kbd> show prediction &nbsp; <kbd>s</kbd> save</p>
</div><p id="done"></p><p id="where"></p><p>item <span id="sid"></span></p></div></main>
<script type="application/json" id="data">{payload}</script>
<script>{SCRIPT}</script></body></html>
"""
