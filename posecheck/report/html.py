"""The report as one self-contained HTML page (CSS and pictures inline); every text is autoescaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2

from posecheck.report.build import Report
from posecheck.report.focus import CAMERA_ADVICE
from posecheck.report.plain import CM_PER_TORSO_LENGTH


def clock(seconds: float | None) -> str:
    """`1:05` for 65 s; `—` when unknown."""
    if seconds is None:
        return "—"
    seconds = max(0.0, float(seconds))
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def local_time(iso: str | None, fmt: str) -> str:
    if not iso:
        return "unknown"
    return datetime.fromisoformat(iso).astimezone().strftime(fmt)


def words(name: str | None) -> str:
    return (name or "").replace("_", " ")


_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                  lstrip_blocks=True)
_ENVIRONMENT.filters.update(clock=clock, duration=duration, local_time=local_time, words=words)

CSS = """
:root { --ink:#1d2733; --muted:#5b6876; --line:#dde3ea; --bg:#f6f7f9; --card:#fff; --accent:#1f5f99;
  --good:#1e7b4f; --good-bg:#e3f3ea; --warn:#9a5b00; --warn-bg:#fdf1dc; --bad:#b3261e; --bad-bg:#fbe4e2; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 28px 20px 60px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 22px; }
.brand { color: var(--accent); font-weight: 600; letter-spacing: .04em; text-transform: uppercase; font-size: 13px; }
h1 { font-size: 30px; margin: 4px 0 6px; line-height: 1.2; }
h2 { font-size: 23px; margin: 0 0 4px; }
h3 { font-size: 17px; margin: 22px 0 8px; color: var(--ink); }
.meta { color: var(--muted); display: flex; flex-wrap: wrap; gap: 6px 22px; }
.meta b { color: var(--ink); font-weight: 600; }
.notes { margin: 10px 0 0; padding: 8px 12px; background: var(--card); border-left: 3px solid var(--line);
  white-space: pre-wrap; }
.banner { border-radius: 8px; padding: 12px 16px; margin: 0 0 18px; }
.banner.incomplete { background: var(--warn-bg); border: 1px solid #f0d39b; }
.banner.nopose, .banner.pain-up { background: var(--bad-bg); border: 1px solid #efb7b2; }
.pain { margin: 8px 0 0; }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px;
  margin-bottom: 20px; }
.focus { border-left: 5px solid var(--accent); }
.focus ol { margin: 6px 0 0; padding-left: 22px; }
.focus li { margin: 6px 0; }
.focus li strong { display: block; }
.focus .why { color: var(--muted); font-size: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 15px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.reps td:not(:last-child), table.reps th:not(:last-child) { width: 1%; white-space: nowrap; }
table.reps td:not(:last-child) { padding-right: 18px; }
th { white-space: nowrap; font-size: 13px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted);
  font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.faulty td { background: #fffaf3; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 13px; font-weight: 600;
  white-space: nowrap; }
.pill.met { background: var(--good-bg); color: var(--good); }
.pill.below, .pill.warning { background: var(--warn-bg); color: var(--warn); }
.pill.above, .pill.unknown, .pill.info, .pill.paced { background: #e8edf3; color: var(--muted); }
.pill.stop { background: var(--bad-bg); color: var(--bad); }
.exercise-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px;
  flex-wrap: wrap; }
.target { color: var(--muted); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 14px 0; }
.stat { background: var(--bg); border-radius: 8px; padding: 8px 12px; }
.stat .label { font-size: 12px; text-transform: uppercase; color: var(--muted); letter-spacing: .03em; }
.stat .value { font-size: 22px; font-weight: 650; }
.stat .sub { font-size: 13px; color: var(--muted); }
figure { margin: 0; }
figure.plot img { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.faults { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 14px; }
.fault { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: #fff; }
.fault img { width: 100%; height: auto; display: block; background: #f3efe9; }
.fault .body { padding: 10px 12px; }
.fault .name { font-weight: 650; }
.fault .name::first-letter { text-transform: uppercase; }
.fault .cue { margin: 4px 0; }
.fault .when { font-size: 13px; color: var(--muted); }
.session-name { color: var(--muted); font-size: 18px; }
.holds-plain { margin: 0 0 10px; }
details.physio { margin-top: 8px; font-size: 13px; color: var(--muted); }
details.physio summary { cursor: pointer; color: var(--accent); font-weight: 600; }
details.physio ul { margin: 4px 0; padding-left: 18px; }
a { color: var(--accent); text-decoration: none; font-weight: 600; }
a:hover { text-decoration: underline; }
.summary .detail { white-space: nowrap; }
.empty { color: var(--muted); font-style: italic; }
.problems { font-size: 14px; color: var(--warn); }
.notice { font-size: 14px; color: var(--warn); }
.cue-list { margin: 0; padding: 0; list-style: none; }
.cue-list li { margin: 2px 0; }
.detail { color: var(--muted); font-size: 13px; }
footer { color: var(--muted); font-size: 13px; margin-top: 30px; border-top: 1px solid var(--line);
  padding-top: 10px; }
tr.empty td, tr.stopped td { color: var(--muted); background: #f3f4f6; }
.set-note { font-size: 14px; color: var(--muted); background: #f3f4f6; border-radius: 6px; padding: 6px 10px; }
.compare ul { margin: 4px 0 0; padding-left: 20px; }
.compare li { margin: 2px 0; }
.pill.empty, .pill.stopped { background: #e8edf3; color: var(--ink); }

/* Paper (A4): nothing to click, nothing cut across a page: rep rows, plots, snapshots and stat boxes stay whole;
   long exercise sections may run on, headings stay with what follows them. */
@page { size: A4; margin: 14mm 12mm; }
@media print {
  :root { --bg: #fff; }
  body { background: #fff; font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  header.top { margin-bottom: 12px; }
  h1 { font-size: 20pt; }
  h2 { font-size: 15pt; }
  h3 { font-size: 11.5pt; margin: 12px 0 6px; }
  h2, h3, .exercise-head { break-after: avoid; }
  a { color: inherit; font-weight: inherit; text-decoration: none; }
  .card { border-color: #ccc; padding: 10px 12px; margin-bottom: 12px; -webkit-box-decoration-break: clone;
    box-decoration-break: clone; }  /* a section running onto the next page gets its border closed on both */
  .card.focus, .card.summary-card { break-inside: avoid; }
  table { font-size: 9.5pt; }
  thead { display: table-header-group; }
  tr, figure, .fault, .stat, .banner, .compare, .set-note, .notice, p { break-inside: avoid; }
  .stats { grid-template-columns: repeat(4, 1fr); gap: 6px; margin: 8px 0; }
  .stat .value { font-size: 15pt; }
  figure.plot img { max-height: 85mm; object-fit: contain; }
  .faults { grid-template-columns: repeat(2, 1fr); gap: 8px; }
  .fault img { max-height: 55mm; object-fit: contain; }
  footer { margin-top: 12px; }
}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="posecheck {{ r.posecheck_version }}">
<title>{{ page_title }}</title>
<style>{{ css | safe }}</style>
</head>
<body>
<main>
<header class="top">
  <div class="brand">posecheck · session report</div>
  <h1 id="title">{{ r.title }}</h1>
  {% if s.own_name %}<div class="session-name">{{ s.own_name }}</div>{% endif %}
  <div class="meta">
    <span><b>{{ s.started_at | local_time("%A %-d %B %Y") }}</b></span>
    <span>started {{ s.started_at | local_time("%H:%M") }}</span>
    <span>exercise time <b>{{ s.duration_s | duration }}</b>{% if not s.complete %} (what was recorded){% endif %}</span>
    <span>{{ r.exercises | length }} exercise{{ "" if r.exercises | length == 1 else "s" }}</span>
  </div>
  {% if s.notes %}<p class="notes">{{ s.notes }}</p>{% endif %}
  {% if r.pain.before is not none or r.pain.after is not none %}
  <p class="pain" id="pain">Pain (0-10): <b>before {{ r.pain.before if r.pain.before is not none else "not rated" }}</b>,
    <b>after {{ r.pain.after if r.pain.after is not none else "not rated" }}</b>{% if r.pain_compare %}.
    {{ r.pain_compare }}{% if r.pain_previous %} ({{ r.pain_previous.started_at | local_time("%a %-d %b") }}){% endif %}{% endif %}</p>
  {% endif %}
</header>
{% if r.pain.advice %}
<section class="banner pain-up" id="pain-advice"><strong>{{ r.pain.advice }}.</strong></section>
{% endif %}

{% if not s.complete %}
<section class="banner incomplete" id="incomplete">
  <strong>Incomplete session.</strong> This report shows what the session holds; some of it is missing.
  <ul>{% for p in s.problems %}<li>{{ p }}</li>{% endfor %}</ul>
</section>
{% endif %}
{% if not s.has_pose %}
<section class="banner nopose" id="no-pose">
  <strong>No pose was found in this session.</strong> posecheck never saw a person, so it could not count reps
  or check form. {{ camera_advice }}
</section>
{% endif %}

<section class="card focus" id="focus">
  <h2>Next time, focus on</h2>
  <ol>{% for item in r.focus %}
    <li><strong>{{ item.text }}</strong><span class="why">{{ item.why }}</span></li>{% endfor %}
  </ol>
</section>

<section class="card summary-card" id="summary">
  <h2>What you did</h2>
  {% if r.summary %}
  <table class="summary">
    <thead><tr><th>Exercise</th><th>Plan's target</th><th class="num">Reps</th><th class="num">Avg hold</th>
      <th class="num">Faults</th><th class="num">In view</th><th>Last time</th><th></th></tr></thead>
    <tbody>{% for row in r.summary %}
      {% set before = r.exercises[loop.index0].compare %}
      <tr class="{{ row.set_status }}"><td><a href="#exercise-{{ row.index }}">{{ row.title }}</a></td><td>{{ row.target }}</td>
        <td class="num">{{ row.reps_done }}{% if row.by_side %}<div class="detail">{% for side, n in row.by_side | dictsort %}{{ n }} {{ side }}{{ ", " if not loop.last }}{% endfor %}</div>{% endif %}</td>
        <td class="num">{{ "%.1f s" % row.mean_hold_s if row.mean_hold_s is not none else "—" }}</td>
        <td class="num">{{ row.faults }}</td>
        <td class="num">{{ "%d%%" % (100 * row.in_view) if row.in_view is not none else "—" }}</td>
        <td>{% if before.previous %}{{ before.previous.reps_done }} reps<div class="detail">{{ before.previous.started_at | local_time("%-d %b") }}</div>{% elif before.first %}first session{% else %}—{% endif %}</td>
        <td>{% if row.set_status == "empty" %}<span class="pill empty">empty set</span>{% elif row.set_status == "stopped" %}<span class="pill stopped">{{ row.set_text }}</span>{% elif not row.complete and row.reps_status == "below" %}<span class="pill below">stopped early</span>{% else %}<span class="pill {{ row.reps_status }}">{{ status_words[row.reps_status] }}</span>{% endif %}</td></tr>{% endfor %}
    </tbody>
  </table>
  {% if r.compare_image_id %}
  <figure class="plot" id="compare-plot"><img src="{{ images[r.compare_image_id] }}" alt="This session against the last one, per exercise">
    <figcaption>{% if r.compared_with_history %}Each exercise now (blue) and in the previous session that did it (grey); green: what the plan asks.{% else %}Each exercise now (blue); green: what the plan asks. No history was looked in, so nothing to compare with.{% endif %}</figcaption></figure>
  {% endif %}
  {% else %}<p class="empty">No exercise was recorded in this session.</p>{% endif %}
</section>

{% for e in r.exercises %}
<section class="card exercise" id="exercise-{{ e.index }}">
  <div class="exercise-head">
    <h2>{{ e.index }}. {{ e.title }}</h2>
    <span class="target">Target: {{ e.target_text }}</span>
  </div>
  <div class="stats">
    <div class="stat"><div class="label">Reps done</div><div class="value">{{ e.reps.done }}
      {% if e.reps.target %}<span class="pill {{ e.reps.status }}">{{ status_words[e.reps.status] }}</span>{% endif %}</div>
      <div class="sub">{% if e.reps.paced %}{{ e.reps.paced }} paced, not seen{% endif %}{% for side, n in e.reps.by_side | dictsort %}{{ n }} {{ side }}{{ ", " if not loop.last }}{% else %}{% if e.reps.started_not_finished %}{{ e.reps.started_not_finished }} not finished{% else %}&nbsp;{% endif %}{% endfor %}</div></div>
    <div class="stat"><div class="label">Holds</div>
      {% if e.holds.values_s %}<div class="value">{{ "%.1f" % e.holds.mean_s }} s</div>
      <div class="sub">{{ "%.1f" % e.holds.min_s }}-{{ "%.1f" % e.holds.max_s }} s{% if e.holds.target_s %}, {{ e.holds.short }} short of {{ e.holds.target_s[0] }} s{% endif %}</div>
      {% else %}<div class="value">—</div><div class="sub">no holds timed</div>{% endif %}</div>
    <div class="stat"><div class="label">Faults</div><div class="value">{{ e.faults | sum(attribute="count") }}</div>
      <div class="sub">{% if e.faults %}{{ e.faults | length }} kind{{ "" if e.faults | length == 1 else "s" }}{% else %}none flagged{% endif %}</div></div>
    <div class="stat"><div class="label">In view</div>
      <div class="value">{{ "%d%%" % (100 * e.in_view) if e.in_view is not none else "—" }}</div>
      <div class="sub">of {{ e.duration_s | duration }}</div></div>
  </div>
  {% if e.holds.plain %}<p class="holds-plain" id="holds-{{ e.index }}">{{ e.holds.plain }}</p>{% endif %}
  {% if e.set.text %}<p class="set-note" id="set-{{ e.index }}"><strong>{{ e.set.text[0] | upper }}{{ e.set.text[1:] }}.</strong> Not a finished set: read its figures as such.</p>{% endif %}
  <div class="compare" id="compare-{{ e.index }}">
    <h3>{% if e.compare.previous %}Against last time ({{ e.compare.previous.started_at | local_time("%a %-d %b") }}) and the plan{% elif e.compare.first %}First session of it: against the plan{% else %}Against the plan{% endif %}</h3>
    <ul>{% for line in e.compare.lines %}<li>{{ line }}</li>{% endfor %}</ul>
  </div>
  {% if e.problems %}<p class="problems">Incomplete: {{ e.problems | join("; ") }}</p>{% endif %}
  {% if e.notices.nothing_counted %}<p class="notice"><strong>No rep was counted:</strong> {{ e.notices.nothing_counted.rstrip(".") }}.</p>{% endif %}
  {% if e.notices.pacing %}<p class="notice"><strong>Paced:</strong> {{ e.notices.pacing }}. Paced reps are counted by the app's pace, not seen by the camera: they say you were in position while the app paced you, not how you moved.</p>{% endif %}
  {% for r in e.notices.reminders %}<p class="notice"><strong>Reminded, not judged:</strong> &ldquo;{{ r.cue }}&rdquo;. A camera cannot tell this well enough for everyone, so posecheck said it when the set began and did not check it.</p>
  <details><summary>Why it is not checked</summary><p class="detail">{{ r.why }}.</p></details>{% endfor %}
  {% if e.notices.cannot_see_you or e.notices.not_in_start_position or e.notices.waiting or e.notices.abstained %}
  <p class="detail">{% if e.notices.cannot_see_you %}posecheck lost sight of you {{ e.notices.cannot_see_you }} time(s). {% endif %}
  {% if e.notices.not_in_start_position %}Not in the start position {{ e.notices.not_in_start_position }} time(s). {% endif %}
  {% if e.notices.waiting %}Asked you {{ e.notices.waiting }} time(s) to hold still in the start position: without a moment's rest there nothing can be judged. {% endif %}
  {% if e.notices.abstained %}Some checks could not be judged from the camera (what they look at was hidden or not seen well enough):
  {% for check, n in e.notices.abstained | dictsort %}{{ check | words }} ({{ n }}){{ ", " if not loop.last else "." }}{% endfor %}{% endif %}</p>
  {% endif %}

  <h3>Movement over time</h3>
  {% if e.signal.image_id %}
  <figure class="plot"><img src="{{ images[e.signal.image_id] }}" alt="{{ e.signal.label }} over time, with reps and faults">
    <figcaption>{{ e.signal.label }} ({{ e.signal.side }} side, the side facing the camera). Shaded bands are reps,
      numbered with their side; triangles mark faults.</figcaption></figure>
  {% else %}<p class="empty">No pose was seen in this exercise, so there is no movement to plot.</p>{% endif %}

  <h3>Rep by rep</h3>
  {% if e.rep_table %}
  <table class="reps">
    {% set sided = e.rep_table | selectattr("side") | list %}
    <thead><tr><th class="num">Rep</th>{% if sided %}<th>Side</th>{% endif %}<th class="num">Starts at</th><th class="num">Hold</th><th>Faults and cues</th></tr></thead>
    <tbody>{% for row in e.rep_table %}
      <tr class="{{ 'faulty' if row.faults }}"><td class="num">{{ row.rep if row.rep is not none else "between reps" }}</td>
        {% if sided %}<td>{{ row.side or "" }}</td>{% endif %}
        <td class="num">{{ row.start_s | clock if row.start_s is not none else (row.end_s | clock if row.end_s is not none else "") }}</td>
        <td class="num">{% if row.hold_s is not none %}{{ "%.1f s" % row.hold_s }}{% if row.breaths is not none %}, {{ row.breaths }} breath{{ "" if row.breaths == 1 else "s" }} seen{% endif %}{% elif row.rep is not none and not row.completed %}not finished{% endif %}</td>
        <td>{% if row.faults %}<ul class="cue-list">{% for f in row.faults %}
          <li><span class="pill {{ f.severity }}">{{ f.label }}</span> {{ f.cue or "" }}</li>{% endfor %}</ul>
          {% elif row.paced %}<span class="pill paced">paced, not seen</span>{% elif row.rep is not none %}<span class="pill met">good</span>{% endif %}</td></tr>{% endfor %}
    </tbody>
  </table>
  {% else %}<p class="empty">No reps were counted.</p>{% endif %}

  <h3>Faults, each at its worst moment</h3>
  {% if e.faults %}
  <div class="faults">{% for f in e.faults %}
    <div class="fault">
      {% if f.worst.image_id %}<img src="{{ images[f.worst.image_id] }}" alt="Pose at the worst: {{ f.label }}">{% endif %}
      <div class="body">
        <div class="name">{{ f.plain }}{% if f.severity == "stop" %} <span class="pill stop">stop</span>{% endif %}</div>
        {% if f.cue %}<div class="cue">Next time: “{{ f.cue }}”</div>{% endif %}
        <div class="when">{{ f.count }} time{{ "" if f.count == 1 else "s" }}. The picture is the worst moment, at {{ f.worst.t_s | clock }}{% if f.worst.rep is not none %} (rep {{ f.worst.rep }}){% endif %}{% if f.worst.snapshot == "drawing" %}; drawn from the landmarks{% if e.calibrated %}, your start position in grey behind{% endif %}{% elif f.worst.snapshot == "video" %}; from the video{% elif not f.worst.image_id %}; no pose seen at that moment{% endif %}.</div>
        {% if f.details %}
        <details class="physio"><summary>Details for your physiotherapist</summary>
          <p>Check <code>{{ f.check }}</code> ({{ f.severity }}). Each time it was flagged, the reading against its limit:</p>
          <ul>{% for d in f.details %}<li>{{ "rep %s" % d.rep if d.rep is not none else "between reps" }}: {{ d.detail }}</li>{% endfor %}</ul>
          {% if f.worst.unit == "torso lengths" %}<p>A torso length is your shoulder-to-hip distance as the camera sees it; {{ cm_per_torso_length | int }} cm is taken for it in the words above.</p>{% endif %}
        </details>
        {% endif %}
      </div>
    </div>{% endfor %}
  </div>
  {% elif e.frames_with_pose %}<p class="empty">No faults flagged.</p>
  {% else %}<p class="empty">Nothing could be checked: no pose was seen.</p>{% endif %}
</section>
{% endfor %}

<footer>
  Made by posecheck {{ r.posecheck_version }} from the session folder “{{ s.folder }}”
  {%- for source in sources %}{{ "; recorded from " if loop.first else ", " }}“{{ source }}”{% endfor %}.
  The same content is in report.json (format {{ r.format }}, version {{ r.version }}).
</footer>
</main>
</body>
</html>
"""  # noqa: E501 (template lines follow the HTML's structure)

STATUS_WORDS = {"met": "target met", "below": "below target", "above": "above target", "unknown": "no target"}


def render_html(report: Report) -> str:
    data: dict[str, Any] = report.data
    session = data["session"]
    date = local_time(session["started_at"], "%-d %b %Y") if session["started_at"] else "undated"
    name = f"{session['own_name']}: " if session.get("own_name") else ""
    page_title = f"posecheck report: {name}{data['title']}, {date}"
    return _ENVIRONMENT.from_string(TEMPLATE).render(
        r=data,
        s=session,
        images=report.images,
        css=CSS,
        page_title=page_title,
        status_words=STATUS_WORDS,
        sources=list(dict.fromkeys(e["source"] for e in data["exercises"] if e["source"])),
        camera_advice=CAMERA_ADVICE,
        cm_per_torso_length=CM_PER_TORSO_LENGTH,
    )
