#!/usr/bin/env python3
"""bench/summary.py RESULTS.json — the table of ratios of an eqlite_bench run.

Reads Google Benchmark's JSON output (--benchmark_out=... --benchmark_out_format=json) and
prints, as Markdown: the machine, then one row per benchmark with its ratio to its group's
reference (measured in the same run), throughput and ns/event, then the complexity fits of the
pathological benchmarks. Rates are medians over repetitions; a group's reference rate is the
median over every run of its reference (bench/common.hpp explains the groups). The ratio is in
bytes/s when both sides read bytes, else in events/s.
"""
import json
import sys

# The reference of each group of benchmarks (bench/common.hpp): benchmark name prefix ->
# reference name prefix. Every run of a group's reference counts (the first one, the `_again`
# ones, every repetition): the ratio is a benchmark's median rate over the median of those.
GROUPS = (
    ("t1078/", "reference/signin/"),
    ("cli/", "reference/signin/"),
    ("rules/", "reference/ecs/"),
    ("sequence/state/", None),  # small events of their own: no reference
    ("sequence/", "reference/ecs_stream/"),
    ("interpreter/t1078/", "interpreter/t1078/reference_interpreter"),
    ("interpreter/ecs_100/", "interpreter/ecs_100/reference_interpreter"),
    ("wildcard/9/", "wildcard/9/hyperscan"),
    ("wildcard/9unique/", "wildcard/9unique/hyperscan"),
    ("wildcard/9gen/", "wildcard/9gen/hyperscan"),
    ("wildcard/1000/", "wildcard/1000/hyperscan"),
)


def median(values):
    values = sorted(values)
    n = len(values)
    if n == 0:
        return None
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def si(value, unit=""):
    if value is None:
        return ""
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}".rstrip()


def display_name(run):
    name = run.get("run_name", run["name"])
    for suffix in ("/real_time", "/manual_time"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def runs_by_name(benchmarks):
    """Benchmark name -> its iteration runs (one per repetition), in registration order (the
    order of a run without --benchmark_enable_random_interleaving)."""
    order = lambda b: (b.get("family_index", 0), b.get("per_family_instance_index", 0))
    out = {}
    for b in sorted(benchmarks, key=order):
        if b.get("run_type") == "aggregate":
            continue
        out.setdefault(display_name(b), []).append(b)
    return out


def rate(runs, key):
    return median([r[key] for r in runs if key in r and not r.get("error_occurred")])


def notes(runs):
    out = []
    if not any("items_per_second" in r for r in runs):
        t = median([r["real_time"] for r in runs if "real_time" in r])
        if t is not None:
            out.append(f"{t:.3g} {runs[0].get('time_unit', '')} per run")
    for key, fmt in (("match_rate", "match rate {:.3f}"), ("hits_per_event", "hits/event {:.4f}"),
                     ("rules", "{:.0f} rules"), ("disagreements", "{:.0f} disagreements"),
                     ("cpu_ratio_to_reference", "in CPU time {:.3f}"),
                     ("child_cpu_seconds", "child CPU {:.3f} s"),
                     ("sequence_over_single", "sequence/single {:.3f}"),
                     ("results_per_event", "results/event {:.4f}"),
                     ("state_bytes_per_pending", "state {:.0f} B/pending"),
                     ("heap_besides_text_per_pending", "heap besides text {:.0f} B/pending"),
                     ("peak_rss_MiB", "peak RSS {:.0f} MiB"),
                     ("sequence_rules_firing", "{:.0f} sequence rules fire"),
                     ("sequence_results", "{:.0f} sequence results")):
        value = rate(runs, key)
        if value is not None:
            out.append(fmt.format(value))
    return ", ".join(out)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        data = json.load(f)
    ctx = data.get("context", {})
    print(f"- date: {ctx.get('date', '?')}")
    print(f"- CPU: {ctx.get('cpu_model', '?')}, {ctx.get('num_cpus', '?')} logical CPUs at "
          f"{ctx.get('mhz_per_cpu', '?')} MHz; load average "
          f"{', '.join(f'{x:.2f}' for x in ctx.get('load_avg', [])) or '?'}")
    print(f"- simdjson {ctx.get('simdjson_version', '?')}: kernel {ctx.get('simdjson_kernel', '?')}"
          f" (On-Demand compiled for {ctx.get('simdjson_ondemand_builtin', '?')})")
    print(f"- scale: {ctx.get('eqlite_scale', '?')}; hyperscan: {ctx.get('hyperscan', '?')}; "
          f"RuleSet: {ctx.get('rule_set', '?')}; corpus: {ctx.get('corpus', '?')}")
    if ctx.get("library_build_type") == "debug":
        print("- (libbenchmark itself reports a debug build; eqlite and the bench are Release)")
    print()
    print("| benchmark | ratio | to | events/s | bytes/s | ns/event | notes |")
    print("|---|---:|---|---:|---:|---:|---|")
    by_name = runs_by_name(data.get("benchmarks", []))
    for name, runs in by_name.items():
        if name.startswith("pathological/"):
            continue
        last = runs[-1]
        if all(r.get("error_occurred") for r in runs):
            print(f"| `{name}` | — | | | | | skipped: {last.get('error_message', '')} |")
            continue
        ratio, to = "", ""
        ref_prefix = next((ref for prefix, ref in GROUPS if name.startswith(prefix)), None)
        is_reference = last.get("label", "").startswith("reference")
        if is_reference:
            ratio, to = "1", "(reference)"
        elif ref_prefix:
            refs = [r for n, rs in by_name.items() if n.startswith(ref_prefix) for r in rs
                    if r.get("label", "").startswith("reference")]
            key = "bytes_per_second" if rate(runs, "bytes_per_second") and \
                rate(refs, "bytes_per_second") else "items_per_second"
            mine, theirs = rate(runs, key), rate(refs, key)
            if mine and theirs:
                ratio = f"{mine / theirs:.3f}"
                to = ref_prefix.rstrip("/") + ("" if key == "bytes_per_second" else ", events/s")
        items, bytes_ = rate(runs, "items_per_second"), rate(runs, "bytes_per_second")
        ns = rate(runs, "ns_per_event")
        print(f"| `{name}` | {ratio} | {to} | {si(items)} | {si(bytes_, 'B/s')} | "
              f"{f'{ns:,.0f}' if ns else ''} | {notes(runs)} |")
    # Growth of a wildcard list's cost from 9 to 1,000 patterns, like for like (the same values).
    growth = []
    for engine in ("eqlite", "hyperscan"):
        small = rate(by_name.get(f"wildcard/9gen/{engine}", []), "items_per_second")
        large = rate(by_name.get(f"wildcard/1000/{engine}", []), "items_per_second")
        if small and large:
            growth.append(f"{engine} {small / large:.2f}×")
    if growth:
        print()
        print("Time per value from 9 to 1,000 patterns (`wildcard/9gen` → `wildcard/1000`, the "
              "same values): " + ", ".join(growth) + ".")
    # Pathological patterns: throughput per size (median) and the fitted complexity.
    sizes, fits = {}, {}
    for b in data.get("benchmarks", []):
        name = display_name(b)
        if name.startswith("pathological/") and b.get("run_type") == "aggregate":
            fits.setdefault(name, {})[b.get("aggregate_name")] = b
    for name, runs in by_name.items():
        if name.startswith("pathological/"):
            base, _, n = name.rpartition("/")
            sizes.setdefault(base, []).append((int(n), rate(runs, "bytes_per_second"),
                                               runs[0].get("label", "").replace("|", "\\|")))
    if sizes:
        columns = sorted(n for n, _, _ in next(iter(sizes.values())))
        print()
        print("| pathological pattern | " + " | ".join(f"{n >> 10} KiB" for n in columns)
              + " | fit |")
        print("|---|" + "---:|" * (len(columns) + 1))
        for base, points in sizes.items():
            points.sort()
            fit = ""
            big_o, rms = fits.get(base, {}).get("BigO"), fits.get(base, {}).get("RMS")
            if big_o:
                fit = (f"{big_o.get('cpu_coefficient', 0):.2f} {big_o.get('time_unit', '')}"
                       f" × {big_o.get('big_o', '?')}")
            if rms:
                fit += f" (RMS {100 * rms.get('rms', 0):.0f}%)"
            print(f"| `{points[0][2]}` | " + " | ".join(si(bps, "B/s") for _, bps, _ in points)
                  + f" | {fit} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
