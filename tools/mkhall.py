#!/usr/bin/python3
"""mkhall.py — builds etc/hallq.json, the demo hall, from the planning data in
../shared/data/hall-workload.json.  Run from the repository root:

    /usr/bin/python3 tools/mkhall.py

The workload's window profiles use wildcards; the daemon takes explicit
matter lists, so they are expanded here:
  "SB*"    every matter whose domain is SB (in catalogue order)
  "*"      every matter
  "*green" every matter, green class only (that tier gets tier_classes ["green"])
  "ZX01"   that matter
The workload has Chinese names only; the English ones (name_en, shown by the
pages in English mode) are written here, one for every domain, matter and
window kind, and the run stops if one is missing.
The output is written one matter and one window to a line so that the
daemon's "file:line:col" errors point somewhere readable.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "..", "shared", "data", "hall-workload.json")
DST = os.path.join(ROOT, "etc", "hallq.json")

TARGET_WAIT_S = 1800
OVERFLOW_LOWER_S = 900
# ZX01 (综合咨询) names a domain the workload's domain list lacks.
EXTRA_DOMAINS = {"ZX": "综合咨询"}

HALL_NAME_EN = "Demo County Government Service Centre"

# 法定节假日 and 调休 make-up working days: the State Council's notice for
# 2026 (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04), and New
# Year's Day 2027 (fixed by law); a hall adds each year's when it is out.
HOLIDAYS = (["2026-01-01", "2026-01-02", "2026-01-03"] +
            ["2026-02-%02d" % d for d in range(15, 24)] +
            ["2026-04-04", "2026-04-05", "2026-04-06"] +
            ["2026-05-%02d" % d for d in range(1, 6)] +
            ["2026-06-19", "2026-06-20", "2026-06-21"] +
            ["2026-09-25", "2026-09-26", "2026-09-27"] +
            ["2026-10-%02d" % d for d in range(1, 8)] +
            ["2027-01-01"])
WORKDAYS = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09",
            "2026-09-20", "2026-10-10"]
# Extended service: the workload's lunch-time windows serve through lunch
# (and two of them on Saturday mornings, 周末服务); the cross-region window
# stays an hour after closing (延时服务).
SATURDAY = [["09:00", "12:00"]]
SATURDAY_WINDOWS = (1, 2)
EVENING_WINDOWS = {27: "18:30"}
# Matters not booked ahead: a quick enquiry.
NOT_BOOKABLE = ("ZX01",)
CAPACITY_PER_SLOT = 3

DOMAINS_EN = {
    "SB": "Social Insurance",
    "YB": "Medical Insurance",
    "GJJ": "Housing Provident Fund",
    "BDC": "Real Estate Registration",
    "QY": "Business Start-up",
    "GA": "Household Registration & ID",
    "JG": "Vehicles & Driving Licences",
    "SW": "Taxation",
    "MZ": "Marriage Registration",
    "GC": "Construction Projects",
    "ZX": "General Enquiries",
}

MATTERS_EN = {
    "SB01": "Social insurance enrolment",
    "SB02": "Pension benefit claim",
    "SB03": "Social security card replacement",
    "YB01": "Medical insurance changes",
    "YB02": "Out-of-area medical care filing",
    "YB03": "Medical expense reimbursement",
    "GJJ01": "Provident fund withdrawal",
    "GJJ02": "Provident fund loan",
    "BDC01": "Property transfer registration",
    "BDC02": "Mortgage registration",
    "BDC03": "Property records search",
    "QY01": "Company registration",
    "QY02": "Company change registration",
    "QY03": "Company deregistration",
    "GA01": "Household registration transfer",
    "GA02": "Resident ID card",
    "JG01": "Driving licence renewal",
    "JG02": "Motor vehicle registration",
    "SW01": "Invoice application",
    "SW02": "Individual income tax enquiries",
    "MZ01": "Marriage registration",
    "GC01": "Construction permit",
    "ZX01": "General enquiries",
}

# A window's English name: "Window N", and what kind of window it is.
KINDS_EN = {
    "无差别综合窗口": "All services",
    "分领域综合窗口 不动产": "Real estate",
    "分领域综合窗口 企业开办/工程建设": "Business & construction",
    "税务专窗": "Taxation",
    "绿色通道窗口": "Priority (green channel)",
    "帮代办窗口": "Assisted service",
    "跨域通办窗口": "Cross-region service",
    "办不成事反映窗口": "Problem resolution",
}


def english(table, key, what):
    if key not in table:
        sys.exit("mkhall: no English name for %s %s: add it to %s" % (
            what, key, "tools/mkhall.py"))
    return table[key]


def expand(pattern, matters):
    """One wildcard -> (matter codes, class restriction or None)."""
    codes = [m["code"] for m in matters]
    if pattern == "*":
        return codes, None
    if pattern.startswith("*"):
        return codes, pattern[1:]
    if pattern.endswith("*"):
        dom = pattern[:-1]
        got = [m["code"] for m in matters if m["domain"] == dom]
        if not got:
            sys.exit("mkhall: %s matches no matter" % pattern)
        return got, None
    if pattern not in codes:
        sys.exit("mkhall: unknown matter %s" % pattern)
    return [pattern], None


def window_range(key):
    if "-" in key:
        lo, hi = key.split("-")
        return range(int(lo), int(hi) + 1)
    return range(int(key), int(key) + 1)


def build(wl):
    matters = wl["matters"]
    domains = dict(wl["domains"])
    for code, name in EXTRA_DOMAINS.items():
        domains.setdefault(code, name)
    for m in matters:
        if m["domain"] not in domains:
            sys.exit("mkhall: matter %s: unknown domain %s" % (m["code"], m["domain"]))

    windows = []
    for key, prof in wl["windows"].items():
        tiers, classes = [], []
        for tier in prof["tiers"]:
            codes, cls = [], None
            for pat in tier:
                got, c = expand(pat, matters)
                if c is not None:
                    cls = c
                codes += [x for x in got if x not in codes]
            tiers.append(codes)
            classes.append([cls] if cls else [])
        kind_en = english(KINDS_EN, prof["kind"], "window kind")
        for n in window_range(key):
            w = {"number": n, "name": "%d号窗口" % n, "name_en": "Window %d" % n,
                 "kind": prof["kind"], "kind_en": kind_en,
                 "state": "open", "tiers": tiers}
            if any(classes):
                w["tier_classes"] = classes
            w["overflow_s"] = [0] + [OVERFLOW_LOWER_S] * (len(tiers) - 1)
            if prof["kind"] == "办不成事反映窗口":
                w["ledger"] = True     # its clerk keeps the 办不成事 ledger
            windows.append(w)
    windows.sort(key=lambda w: w["number"])
    hours = wl["business_hours"]
    lunch = wl["lunch_extended_service"]
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    for w in windows:
        n, wh = w["number"], None
        if n in lunch["windows"]:
            # One stretch from the morning's opening to the afternoon's closing.
            wh = dict((d, [[hours[0][0], hours[-1][1]]]) for d in weekdays)
        if n in EVENING_WINDOWS:
            wh = dict((d, hours[:-1] + [[hours[-1][0], EVENING_WINDOWS[n]]])
                      for d in weekdays)
        if n in SATURDAY_WINDOWS:
            wh = dict(wh or {})
            wh["sat"] = SATURDAY
        if wh:
            w["hours"] = wh
    numbers = [w["number"] for w in windows]
    if numbers != list(range(1, len(windows) + 1)):
        sys.exit("mkhall: window numbers are not 1..N: %s" % numbers)

    return {
        "hall": {"name": "示范县政务服务中心", "name_en": HALL_NAME_EN,
                 "timezone": "Asia/Shanghai",
                 "number_width": 3, "no_show_grace_s": 600},
        "listen": "127.0.0.1:8080",
        "database": "var/hallq.db",
        "web": {"root": "web"},
        "tokens": {
            "kiosk": ["k1", "k2"],
            "clerk": dict([("c%d" % n, [n]) for n in numbers] + [("c-all", "*")]),
            # Named: the audit trail records who by name, never the token.
            "manager": {"m1": "王主任"},
            "admin": {"a1": "信息科李工"},
            "display": ["d1"],
            # One 好差评 tablet per window (/rate?token=eN&window=N).
            "evaluator": dict(("e%d" % n, [n]) for n in numbers),
            # The city's portal and the 12345 hotline book appointments.
            "integration": ["portal1", "hotline1"],
        },
        "classes": {"green": {"head_start_s": 900},
                    "appointment": {"head_start_s": 600},
                    "normal": {"head_start_s": 0}},
        "domains": dict((code, {"name": name,
                                "name_en": english(DOMAINS_EN, code, "domain")})
                        for code, name in domains.items()),
        "matters": [{"code": m["code"], "name": m["name"],
                     "name_en": english(MATTERS_EN, m["code"], "matter"),
                     "domain": m["domain"],
                     "prefix": m["prefix"], "service_s": int(round(m["service_min"] * 60)),
                     "target_wait_s": TARGET_WAIT_S,
                     **({} if m["code"] in NOT_BOOKABLE else
                        {"appointment": {"capacity_per_slot": CAPACITY_PER_SLOT}})}
                    for m in matters],
        "windows": windows,
        "devices": [],
        "hours": dict([(d, hours) for d in ("mon", "tue", "wed", "thu", "fri")] +
                      [("sat", []), ("sun", [])]),
        "calendar": {"holidays": HOLIDAYS, "workdays": WORKDAYS},
        "appointments": {"slot_min": 30, "horizon_days": 7, "min_lead_min": 30,
                         "early_min": 30, "late_min": 15,
                         "per_person_per_day": 1, "share_pct": 50,
                         "purge_days": 30, "public_per_minute": 10},
        # Staffing before the hall has history: the workload's forecast.
        "staffing": {"target_wait_min": 15, "level_pct": 80,
                     "forecast": {"tickets_per_day": wl["tickets_per_day"],
                                  "profile": wl["arrival_profile_per_hour"],
                                  "shares": dict((m["code"], m["share"])
                                                 for m in wl["matters"])}},
    }


def dump(v):
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def render(conf):
    """Top level and lists of objects one item a line; the rest compact."""
    out = ["{"]
    keys = list(conf)
    for i, k in enumerate(keys):
        v = conf[k]
        comma = "," if i + 1 < len(keys) else ""
        if isinstance(v, list) and v and isinstance(v[0], dict):
            out.append('  "%s": [' % k)
            out += ["    " + dump(x) + ("," if j + 1 < len(v) else "")
                    for j, x in enumerate(v)]
            out.append("  ]" + comma)
        elif isinstance(v, dict) and k in ("tokens", "classes"):
            out.append('  "%s": {' % k)
            sub = list(v)
            out += ['    "%s": %s%s' % (s, dump(v[s]), "," if j + 1 < len(sub) else "")
                    for j, s in enumerate(sub)]
            out.append("  }" + comma)
        else:
            out.append('  "%s": %s%s' % (k, dump(v), comma))
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    with open(SRC, encoding="utf-8") as f:
        wl = json.load(f)
    conf = build(wl)
    text = render(conf)
    assert json.loads(text) == conf
    with open(DST + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(DST + ".tmp", DST)
    print("mkhall: %s: %d domains, %d matters, %d windows" % (
        os.path.relpath(DST, ROOT), len(conf["domains"]), len(conf["matters"]),
        len(conf["windows"])))


if __name__ == "__main__":
    main()
