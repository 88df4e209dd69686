/* convanim's figure player: steps through one figure's drawings and explains the cell under the
   pointer with the recording's numbers. One player per .cv-player element; the page or deck that
   holds it decides which keys drive it (cvKeys). No network, no globals but these functions. */
'use strict';

/* The player's data: JSON, zlib-compressed and in base64 inside the page (.cv-data). */
async function cvData(root) {
  const packed = atob(root.querySelector('.cv-data').textContent.trim());
  const bytes = Uint8Array.from(packed, (c) => c.charCodeAt(0));
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return JSON.parse(await new Response(inflated).text());
}

function cvPlayer(root, data) {
  const svg = root.querySelector('svg.cv-figure');
  const steps = [...svg.querySelectorAll('g.s')];
  const marks = svg.querySelector('.cv-marks');
  const find = (name) => root.querySelector('.cv-' + name);
  const play = find('play'), slider = find('slider'), speed = find('speed');
  const count = find('count'), panel = find('panel');
  const reduce = matchMedia('(prefers-reduced-motion: reduce)').matches;
  let current = -1, timer = null, hovered = false;

  // Where each result's cells are, and which results read each cell.
  const producing = new Map(), reading = new Map();
  data.links.forEach((link, k) => {
    if (!producing.has(link.o)) producing.set(link.o, k);  // a cell two views explain: the figure's own
    for (const cell of link.i) {
      if (!reading.has(cell)) reading.set(cell, []);
      reading.get(cell).push(k);
    }
  });

  function inside(cell, x, y) {  // a convex quad, either winding
    const q = data.cells[cell];
    let sign = 0;
    for (let k = 0; k < 8; k += 2) {
      const ax = q[k], ay = q[k + 1], bx = q[(k + 2) % 8], by = q[(k + 3) % 8];
      const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      if (cross !== 0) {
        if (sign && Math.sign(cross) !== sign) return false;
        sign = Math.sign(cross);
      }
    }
    return true;
  }

  function hit(x, y) {  // an output cell first (they may lie over inputs), then an input cell
    for (const [cell, k] of producing) if (inside(cell, x, y)) return {kind: 'output', cell, links: [k]};
    for (const [cell, ks] of reading) if (inside(cell, x, y)) return {kind: 'input', cell, links: ks};
    return null;
  }

  const NS = 'http://www.w3.org/2000/svg';
  function mark(cell, kind) {
    const q = data.cells[cell], poly = document.createElementNS(NS, 'polygon');
    poly.setAttribute('points', [0, 2, 4, 6].map((k) => q[k] + ',' + q[k + 1]).join(' '));
    poly.setAttribute('class', 'cv-' + kind);
    marks.appendChild(poly);
  }

  function explain(found, quiet) {  // quiet: the step's own result, whose window the figure shades
    marks.replaceChildren();
    marks.classList.toggle('cv-quiet', Boolean(quiet));
    panel.replaceChildren();
    if (!found) {
      const hint = document.createElement('p');
      hint.className = 'cv-hint';
      hint.textContent = data.links.length ? data.hint : '';
      panel.appendChild(hint);
      return;
    }
    if (found.kind === 'input') {
      mark(found.cell, 'read');
      for (const k of found.links) mark(data.links[k].o, 'fed');
      const line = document.createElement('p');
      line.textContent = data.feeds.replace('{n}', found.links.length);
      panel.appendChild(line);
      return;
    }
    const link = data.links[found.links[0]];
    for (const cell of link.w) mark(cell, 'weight');
    for (const cell of link.i) mark(cell, 'read');
    mark(link.o, 'made');
    const head = document.createElement('p');
    head.className = 'cv-result';
    head.textContent = link.r;
    const terms = document.createElement('ul');
    for (const term of link.t) {
      const item = document.createElement('li');
      item.textContent = term;
      terms.appendChild(item);
    }
    panel.append(head, terms);
  }

  function shownNow() {  // with nothing under the pointer, the result this step computes
    const k = data.now[current];
    return k >= 0 ? {kind: 'output', cell: data.links[k].o, links: [k]} : null;
  }

  function show(index) {
    const next = Math.max(0, Math.min(steps.length - 1, index));
    if (next !== current) {  // pictures of what changed lie over the ones before: show them all
      steps.forEach((g, k) => g.classList.toggle('on', data.cumulative ? k <= next : k === next));
      current = next;
    }
    slider.value = String(current + 1);
    count.textContent = data.of.replace('{k}', current + 1).replace('{n}', steps.length);
    if (!hovered) explain(shownNow(), true);
  }

  function schedule() {
    clearTimeout(timer);
    if (!playing()) return;
    timer = setTimeout(() => {
      show(current + 1 < steps.length ? current + 1 : 0);
      schedule();
    }, data.ms[current] / Number(speed.value));
  }

  function playing() { return play.getAttribute('aria-pressed') === 'true'; }

  function setPlaying(on) {
    play.setAttribute('aria-pressed', String(on));
    play.setAttribute('aria-label', on ? data.words.pause : data.words.play);
    play.textContent = on ? '\u275a\u275a' : '\u25b6';
    schedule();
  }

  const api = {
    go(index) { show(index); schedule(); },
    step(by) { setPlaying(false); show(current + by); },
    toggle() { setPlaying(!playing()); },
    play() { if (!reduce) setPlaying(true); },
    stop() { setPlaying(false); },
    get index() { return current; },
    get count() { return steps.length; },
  };

  find('prev').addEventListener('click', () => api.step(-1));
  find('next').addEventListener('click', () => api.step(1));
  play.addEventListener('click', () => api.toggle());
  slider.addEventListener('input', () => { setPlaying(false); show(Number(slider.value) - 1); });
  speed.addEventListener('change', schedule);

  function pointed(event) {
    const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
    const found = hit(at.x, at.y);
    hovered = Boolean(found);
    explain(found || shownNow(), !found);
  }
  svg.addEventListener('pointermove', pointed);
  svg.addEventListener('pointerdown', pointed);
  svg.addEventListener('pointerleave', () => { hovered = false; explain(shownNow(), true); });

  slider.max = String(steps.length);
  show(0);
  setPlaying(!reduce);
  return api;
}

/* The keys of one player: arrows step, space plays or pauses, Home and End jump. ``edge`` is
   told when a step would go past the first or last (a deck turns the page there). */
function cvKeys(target, player, edge) {
  target.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const on = event.target.closest ? event.target.closest('button, select, input, a') : null;
    const p = player();
    if (!p) return;
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      if (on && on.type === 'range') return;  // the slider moves itself
      const by = event.key === 'ArrowRight' ? 1 : -1;
      if (edge && (p.index + by < 0 || p.index + by >= p.count)) edge(by);
      else p.step(by);
    } else if (event.key === ' ' && !on) p.toggle();
    else if (event.key === 'Home' && !on) { p.stop(); p.go(0); }
    else if (event.key === 'End' && !on) { p.stop(); p.go(p.count - 1); }
    else return;
    event.preventDefault();
  });
}
